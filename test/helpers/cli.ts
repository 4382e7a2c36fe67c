import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(ROOT, 'bin/chatpulse.js');

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout match of `re` (bounded). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Children still running: `killLeftovers` ends them whatever the asserts did. */
const running = new Set<ChildProcessWithoutNullStreams>();

/**
 * Kills (SIGKILL) every child `runCli` started that is still running, and waits for them to go. Attach
 * it with `test.after.each(killLeftovers)`: a failed assert must not leave a server running (and the
 * test file hanging on its pipes until the runner's timeout).
 */
export async function killLeftovers(): Promise<void> {
  await Promise.all([...running].map((child) => new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    if (!child.kill('SIGKILL')) resolve();
  })));
}

/** Runs the built `chatpulse` bin as a child process, as a user would. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(re, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const m = re.exec(out);
          if (m) { clearInterval(poll); resolve(m); }
          else if (Date.now() - started > timeoutMs || child.exitCode !== null || child.signalCode !== null) {
            clearInterval(poll);
            reject(new Error(`no ${re} in output; stdout:\n${out}\nstderr:\n${err}`));
          }
        }, 20);
      });
    },
    exited(timeoutMs = 10_000) {
      return Promise.race([
        exit,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('process did not exit in time')), timeoutMs).unref()),
      ]);
    },
  };
}

/** `defaults` (flag → value) before `args`, each unless `args` gives that flag itself (a flag may be given once). */
export function withDefaults(args: readonly string[], defaults: Record<string, string>): string[] {
  const given = (flag: string) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  return [...Object.entries(defaults).flatMap(([flag, value]) => (given(flag) ? [] : [flag, value])), ...args];
}

/** Starts `chatpulse server` on free ports (unless `args` names its own) and returns them. */
export async function startServerProcess(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const proc = runCli(['server', ...withDefaults(args, { '--port': '0', '--http-port': '0' })], opts);
  const chat = await proc.waitFor(/chat listening on [\d.]+:(\d+)/);
  const http = await proc.waitFor(/dashboard on http:\/\/[\d.]+:(\d+)/);
  return { proc, chatPort: Number(chat[1]), httpPort: Number(http[1]) };
}
