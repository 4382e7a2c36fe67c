/**
 * A test's server process (Mosquitto, Prosody, …): its output kept (the last 20 kB), started when its
 * port accepts connections, stopped politely or killed as a crash would. One place for what every such
 * helper needs.
 */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface ServerProcess {
  pid: number;
  /** What it printed (the last 20 kB). */
  output(): string;
  /** SIGKILL, as a crash: resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after 2 s), then `cleanup`; once, however often called. */
  stop(): Promise<void>;
}

/**
 * Waits until `child` accepts connections on 127.0.0.1:`port` (at most 8 s); if it does not, stops it
 * and throws with `name`, the port and `why()` (its output by default).
 */
export async function superviseServer(name: string, child: ChildProcess, port: number, cleanup: () => void, why?: () => string): Promise<ServerProcess> {
  let out = '';
  const keep = (d: string) => (out = (out + d).slice(-20_000));
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const kill = async () => {
    if (!gone()) child.kill('SIGKILL'); // works on a stopped (SIGSTOP) process too
    await exited;
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!gone()) {
        const t = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.kill('SIGCONT'); // a test may have left it stopped, and a stopped process takes no SIGTERM
        child.kill('SIGTERM');
        await exited;
        clearTimeout(t);
      }
      cleanup();
    })());
  const started = Date.now();
  while (!(await canConnect(port))) {
    if (Date.now() - started > 8000 || gone()) {
      const text = why ? why() : out;
      await stop();
      throw new Error(`${name} did not start on port ${port}:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  return { pid: child.pid as number, output: () => out, kill, stop };
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
