import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './redis.js';
import { findTool } from './require-tool.js';
import { superviseServer, type ServerProcess } from './server-process.js';
import { tempDir } from './temp.js';

/** The binary, or undefined (skip with a line naming the Debian package; under CI=true: throws). */
export const mosquittoBin = () => findTool('mosquitto', 'mosquitto');

export interface Mosquitto {
  port: number;
  /** `mqtt://127.0.0.1:PORT` */
  url: string;
  pid: number;
  log(): string;
  /** SIGKILL, as a crash: resolves once it is gone. */
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
  const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = path.join(tmp.dir, 'mosquitto.log');
  let proc: ServerProcess | undefined;
  const log = () => (proc?.output() ?? '') + (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-20_000) : '');
  proc = await superviseServer('mosquitto', child, p, () => tmp.cleanup(), log);
  return { port: p, url: `mqtt://127.0.0.1:${p}`, pid: proc.pid, log, kill: proc.kill, stop: proc.stop };
}
