/**
 * The example apps of examples/ (ws-json-chat, socketio-chat) as child processes, for the loadgen's
 * spec-driven targets: started on a free port (or a given one, to restart in place), stopped with the
 * counts the app prints on its way out.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli.js';

export interface ExampleApp {
  /** The loadgen target: `wsjson://127.0.0.1:P/chat` or `socketio://127.0.0.1:P`. */
  url: string;
  port: number;
  pid: number;
  /** Stops it (SIGTERM) and returns what it says it delivered and dropped. */
  stop(): Promise<{ delivered: number; dropped: number }>;
  /** Kills it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

/** `name`: a folder of examples/. `port` 0: a free one. */
export async function startExampleApp(name: 'ws-json-chat' | 'socketio-chat', flags: readonly string[] = [], port = 0): Promise<ExampleApp> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [path.join(ROOT, 'examples', name, 'server.mjs'), '--port', String(port), ...flags]);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = await new Promise<RegExpExecArray>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 10_000);
    child.stdout.on('data', () => {
      const m = /listening on (ws|socketio):\/\/(127\.0\.0\.1):(\d+)(\/\S*)?/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m);
      }
    });
    child.once('exit', () => {
      clearTimeout(t);
      reject(new Error(`${name} exited: ${out}`));
    });
  });
  const [, scheme, host, p, rest] = listening;
  // The JSON app prints its WebSocket URL; the loadgen reaches it as wsjson:// (JSON frames, by spec).
  const url = `${scheme === 'ws' ? 'wsjson' : scheme}://${host}:${p}${rest ?? ''}`;
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    url,
    port: Number(p),
    pid: child.pid as number,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
      const m = /delivered (\d+) dropped (\d+)/.exec(out);
      if (!m) throw new Error(`no counts from ${name}: ${out}`);
      return { delivered: Number(m[1]), dropped: Number(m[2]) };
    },
    async kill() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
  };
}
