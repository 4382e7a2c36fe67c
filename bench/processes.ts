import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  port: number;
  httpPort: number;
  child: ChildProcess;
  /** CPU seconds used by the process so far (from /proc). */
  cpuSeconds(): number;
  rssBytes(): number;
  stop(): Promise<void>;
}

function procStat(pid: number): { cpu: number; rss: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { cpu: ticks / 100, rss: rssPages * 4096 };
  } catch {
    return { cpu: 0, rss: 0 };
  }
}

/**
 * Every child a bench started and has not seen exit, with what to clean up after it (a server's
 * throwaway results folder): `stopAll` kills them when the bench itself is stopped — SIGTERM from a
 * supervisor, SIGINT from `kill -INT`, a pipe closed under it — so that no server is left running,
 * parented by init, with its folder in /tmp.
 */
const live = new Map<ChildProcess, () => void>();

/** Registers `child` for `stopAll`, with `cleanup` to run once it is gone (a second call replaces it). */
export function tracked<T extends ChildProcess>(child: T, cleanup: () => void = () => {}): T {
  const first = !live.has(child);
  live.set(child, cleanup);
  if (first) {
    child.once('exit', () => {
      const done = live.get(child);
      live.delete(child);
      done?.();
    });
  }
  return child;
}

/** Kills every child still running (SIGKILL: synchronous, so it works in an `exit` handler) and cleans up after each. */
export function stopAll(): void {
  for (const [child, cleanup] of [...live]) {
    live.delete(child);
    try {
      child.kill('SIGKILL');
    } catch {}
    cleanup();
  }
}

const outputs = new WeakMap<ChildProcess, { text: string }>();

function capture(child: ChildProcess): void {
  const o = { text: '' };
  outputs.set(child, o);
  child.stdout?.on('data', (d) => (o.text += d));
  child.stderr?.on('data', (d) => (o.text += d));
}

async function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
  const o = outputs.get(child) as { text: string };
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(o.text);
    if (m) return m;
    if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${re} from child:\n${o.text}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `CHATPULSE_BENCH_PROFILE=dir` writes a V8 CPU profile of each server process into dir. */
function nodeArgs(): string[] {
  const dir = process.env.CHATPULSE_BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function wrap(child: ChildProcess, port: number, httpPort: number, cleanup: () => void): ServerProcess {
  return {
    port, httpPort, child,
    cpuSeconds: () => procStat(child.pid as number).cpu,
    rssBytes: () => procStat(child.pid as number).rss,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { cleanup(); return resolve(); }
      child.once('exit', () => { cleanup(); resolve(); });
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 6000).unref();
    }),
  };
}

export interface SpawnOptions {
  /** Node flags before the script (e.g. `--expose-gc`). */
  node?: string[];
  /** Soft open-file limit to start under (`ulimit -n`), at most the hard limit. */
  fdLimit?: number;
  stdio?: ('ignore' | 'pipe' | 'inherit' | 'ipc')[];
}

/** Node with `args`, under `ulimit -n fdLimit` when asked (exec'd, so the pid is node's). */
export function spawnNode(args: string[], o: SpawnOptions = {}): ChildProcess {
  const argv = [...nodeArgs(), ...(o.node ?? []), ...args];
  const stdio = o.stdio ?? ['ignore', 'pipe', 'pipe'];
  if (o.fdLimit === undefined) return tracked(spawn(process.execPath, argv, { stdio }));
  return tracked(spawn('sh', ['-c', `ulimit -n ${Math.floor(o.fdLimit)} && exec "$0" "$@"`, process.execPath, ...argv], { stdio }));
}

/**
 * `CHATPULSE_BENCH_SERVER=/other/checkout/bin/chatpulse.js` benches another build's server with this
 * build's driver: how a change is measured before/after in one sitting.
 */
function serverScript(): string {
  return process.env.CHATPULSE_BENCH_SERVER || path.join(ROOT, 'bin/chatpulse.js');
}

/** The real `chatpulse server` in its own process, on free ports, with a throwaway results folder. */
export async function startChatpulse(args: string[] = [], o: SpawnOptions = {}): Promise<ServerProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpulse-bench-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  const child = tracked(spawnNode([serverScript(), 'server', '--port', '0', '--http-port', '0',
    '--results-dir', dir, '--max-rate', '0', '--max-queue', '64MiB', ...args], o), removeDir);
  capture(child);
  const chat = await waitForLine(child, /chat listening on [\d.]+:(\d+)/);
  const http = await waitForLine(child, /dashboard on http:\/\/[\d.]+:(\d+)/);
  return wrap(child, Number(chat[1]), Number(http[1]), removeDir);
}

/** The bare broadcast baseline in its own process. */
export async function startBare(): Promise<ServerProcess> {
  const child = tracked(spawn(process.execPath, [...nodeArgs(), path.join(ROOT, 'dist/bench/bare-broadcast.js')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  capture(child);
  const m = await waitForLine(child, /bare listening on [\d.]+:(\d+)/);
  return wrap(child, Number(m[1]), 0, () => {});
}

/** A throwaway redis-server on a free loopback port (cluster scenario). */
export async function startRedisServer(): Promise<ServerProcess & { url: string }> {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const child = tracked(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  capture(child);
  await waitForLine(child, /Ready to accept connections/);
  return { ...wrap(child, port, 0, () => {}), url: `redis://127.0.0.1:${port}` };
}

/** The bare `ws` broadcast baseline of scenario 9 in its own process. */
export async function startBareWs(): Promise<ServerProcess> {
  const child = tracked(spawn(process.execPath, [...nodeArgs(), path.join(ROOT, 'dist/bench/bare-ws-broadcast.js')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  capture(child);
  const m = await waitForLine(child, /bare-ws listening on [\d.]+:(\d+)/);
  return wrap(child, Number(m[1]), Number(m[1]), () => {});
}

/** The Socket.IO example app (examples/socketio-chat/server.mjs) in its own process. */
export async function startSocketIo(): Promise<ServerProcess> {
  const child = tracked(spawn(process.execPath, [...nodeArgs(), path.join(ROOT, 'examples/socketio-chat/server.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  capture(child);
  const m = await waitForLine(child, /listening on socketio:\/\/[\d.]+:(\d+)/);
  return wrap(child, Number(m[1]), Number(m[1]), () => {});
}
