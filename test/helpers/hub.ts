import { defaultDbPath, startHub, type Hub, type HubOptions } from '../../cli/hub.js';
import { defaultChatOptions } from '../../server/index.js';
import { tempDir } from './temp.js';

/** A whole server process in-process (chat + HTTP + metrics) on free ports with a temp results dir. */
export async function startTestHub(opts: Partial<HubOptions> = {}): Promise<{ hub: Hub; chatPort: number; httpUrl: string; dir: string; stop(): Promise<void> }> {
  const tmp = tempDir();
  const hub = await startHub({
    ...defaultChatOptions,
    host: '127.0.0.1', port: 0, httpHost: '127.0.0.1', httpPort: 0, db: defaultDbPath(tmp.dir), resultsDir: tmp.dir,
    interval: 1000, window: 5, metricRooms: 50, noMetrics: false, label: 'test',
    ...opts,
  });
  return {
    hub,
    chatPort: hub.chat.address.port,
    httpUrl: `http://127.0.0.1:${hub.http.address.port}`,
    dir: tmp.dir,
    async stop() {
      await hub.close();
      tmp.cleanup();
    },
  };
}

/** Polls `fn` until it returns a value that is not undefined (bounded). */
export async function eventually<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
