import path from 'node:path';
import { startHub, type Hub, type HubOptions } from '../../cli/hub.js';
import { defaultChatOptions } from '../../server/index.js';
import { tempDir } from './temp.js';

/** A whole in-process hub (chat + HTTP, /chat and /chat/ws) on free ports with a temp db. */
export async function startTestHub(opts: Partial<HubOptions> = {}): Promise<Hub & { cleanup(): Promise<void> }> {
  const tmp = opts.db ? undefined : tempDir();
  const dir = tmp?.dir ?? path.dirname(opts.db as string);
  const hub = await startHub({
    ...defaultChatOptions,
    host: '127.0.0.1', port: 0, httpHost: '127.0.0.1', httpPort: 0,
    db: path.join(dir, 'chat.db'), resultsDir: dir,
    ...opts,
  });
  return Object.assign(hub, {
    async cleanup() {
      await hub.close();
      tmp?.cleanup();
    },
  });
}
