import { defaultDbPath, startHub, type Hub } from './hub.js';
import { formatHelp, parseFlags, UsageError } from './flags.js';
import type { Command } from './main.js';
import { serverFlags } from './server-flags.js';

const spec = { ...serverFlags };

export const serverCommand: Command = {
  summary: 'chat server (TCP) + dashboard and /metrics (HTTP) until Ctrl-C',
  async run(argv) {
    const f = parseFlags(argv, spec);
    if (f.help) {
      console.log(formatHelp('chatpulse server [flags]', serverCommand.summary, spec, EXAMPLE));
      return 0;
    }
    if (f.redis && !/^rediss?:\/\/[^\s]+$/.test(f.redis)) {
      throw new UsageError(`--redis expects a URL like redis://127.0.0.1:6379, got '${f.redis.slice(0, 60)}'`);
    }
    if (f.nodeId && !/^[\w.:-]+$/.test(f.nodeId)) {
      throw new UsageError(`--node-id expects letters, digits and _ . : -, got '${f.nodeId}'`);
    }
    let hub: Hub;
    try {
      hub = await startHub({ ...f, graceMs: f.grace, db: f.db || defaultDbPath(f.resultsDir) });
    } catch (err) {
      console.error(`chatpulse server: ${describeListenError(err)}`);
      return 1;
    }
    const { address: chat } = hub.chat;
    const { address: http } = hub.http;
    console.log(`chat listening on ${chat.address}:${chat.port}`);
    console.log(`dashboard on http://${http.address}:${http.port}`);
    await untilSignal();
    console.log('shutting down…');
    await stopWithin(hub, 4500);
    return 0;
  },
};

const EXAMPLE = `
example:
  chatpulse server --port 5555 --http-port 8080
  telnet 127.0.0.1 5555`;

export function describeListenError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.code === 'EADDRINUSE') return `port ${e.port} on ${e.address} is busy (is another chatpulse running?)`;
  if (e?.code === 'EADDRNOTAVAIL') return `address ${e.address} is not on this machine`;
  if (e?.code === 'EACCES') return `no permission to listen on port ${e.port}`;
  return e?.message ?? String(err);
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** DESIGN §8: exit within 5 s whatever the clients do; a second signal exits at once. */
export async function stopWithin(hub: Hub, ms: number): Promise<void> {
  const force = setTimeout(() => {
    console.error('chatpulse: shutdown took too long; exiting');
    process.exit(0);
  }, ms);
  force.unref();
  const now = () => process.exit(0);
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  await hub.close();
  clearTimeout(force);
}
