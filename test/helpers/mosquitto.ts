import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './redis.js';
import { findTool } from './require-tool.js';
import { tempDir } from './temp.js';

/** The binary, or undefined (skip with a line naming the Debian package; under CI=true: throws). */
export const mosquittoBin = () => findTool('mosquitto', 'mosquitto');

export interface Mosquitto {
  port: number;
  /** `mqtt://127.0.0.1:PORT` */
  url: string;
  pid: number;
  log(): string;
  /** SIGKILL, as a crash: resolves once it is gone (the temp dir is kept for a restart). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Mosquitto 2 on a free loopback port (or `port`, to restart on the same one) with a config in a temp
 * dir. What a load test changes from the defaults, and why:
 * - `max_queued_messages 100000` (default 1000): QoS 1 deliveries waiting for one slow client beyond
 *   that are dropped silently — the generator itself pauses for GC, and a SIGSTOP test stalls everyone;
 * - `max_inflight_messages 0` (default 20): beyond 20 unacknowledged QoS 1 deliveries Mosquitto queues
 *   the rest, while SUBACK, UNSUBACK and PINGRESP are written at once — out of the order the broker
 *   handled them in, and the adapter's exact membership rests on that order (read from Mosquitto's
 *   design and its man page: "If set to 1, this will guarantee in-order delivery"; not reproduced here);
 * - `set_tcp_nodelay true`: without it each small packet may wait on Nagle (40 ms delayed ACKs);
 * - `persistence false`: a killed and restarted broker starts empty, as a fresh one.
 */
export async function startMosquitto(bin: string, port?: number): Promise<Mosquitto> {
  const tmp = tempDir('chatpulse-mosquitto-');
  // Run as root, it drops to the 'mosquitto' user before it opens its log: let that user write here.
  fs.chmodSync(tmp.dir, 0o777);
  const p = port ?? (await freePort());
  const conf = path.join(tmp.dir, 'mosquitto.conf');
  fs.writeFileSync(conf, `listener ${p} 127.0.0.1
allow_anonymous true
persistence false
log_dest file ${tmp.dir}/mosquitto.log
log_type error
log_type warning
log_type notice
max_queued_messages 100000
max_inflight_messages 0
set_tcp_nodelay true
`);
  const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const log = () => {
    const file = path.join(tmp.dir, 'mosquitto.log');
    return out + (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-20_000) : '');
  };
  const kill = async () => {
    if (!gone()) {
      child.kill('SIGCONT'); // a stopped process takes no SIGTERM, but SIGKILL works either way
      child.kill('SIGKILL');
      await exited;
    }
  };
  const stop = async () => {
    if (!gone()) {
      child.kill('SIGCONT');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(t);
    }
    tmp.cleanup();
  };
  const started = Date.now();
  while (!(await canConnect(p))) {
    if (Date.now() - started > 8000 || gone()) {
      const why = log();
      await stop();
      throw new Error(`mosquitto did not start on port ${p}:\n${why}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  return { port: p, url: `mqtt://127.0.0.1:${p}`, pid: child.pid as number, log, kill, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
