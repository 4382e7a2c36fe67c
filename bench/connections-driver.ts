/**
 * The client side of scenario 5, run as its own process (`node --expose-gc dist/bench/connections-driver.js`,
 * driven over IPC) so that its sockets, heap and CPU are not the bench's or the server's.
 *
 * Every client is a bare net.Socket bound to a source address 127.0.0.2, 127.0.0.3, … (`perAddress`
 * each), so the ephemeral port range of one address is not the limit. All sockets read into one shared
 * buffer through `onread`, with one shared callback (`this` is the socket): an idle client costs its
 * socket and nothing else, and the bytes fanned out to 99 % of them are read and dropped.
 */
import net from 'node:net';
import * as hdr from 'hdr-histogram-js';

export interface ConnectRequest {
  cmd: 'connect';
  port: number;
  connections: number;
  rooms: number;
  /** Clients connecting at once. */
  parallel: number;
  /** Clients per source address, on ports firstPort, firstPort + 1, … */
  perAddress: number;
  firstPort: number;
}

export interface ConnectReply {
  /** Connections greeted by the server per second, from the first connect to the last greeting. */
  acceptPerSec: number;
  secondsToJoinAll: number;
  /** Driver RSS growth per client after a forced GC. */
  driverBytesPerClient: number;
  driverHeapBytesPerClient: number;
}

export interface ActiveRequest {
  cmd: 'active';
  /** Clients that send, each at `rate` messages/s; they also parse what reaches them (the probes). */
  senders: number;
  rate: number;
  rooms: number;
  warmupMs: number;
  measureMs: number;
}

export interface ActiveReply {
  sent: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** The driver's CPU during the measurement, in cores (1 = one core busy throughout). */
  driverCores: number;
  worstPerSecond: number[];
}

const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;
const shared = Buffer.allocUnsafe(64 * 1024);
const sockets: net.Socket[] = [];
/** Clients still logging in: the text they wait for and what they have read of it. */
const joining = new Map<net.Socket, { want: string; seen: string; greeted: (() => void) | null; joined: () => void }>();
/** Sending clients while the active phase records: their read tails. */
const probes = new Map<net.Socket, { tail: string }>();
let histogram: hdr.Histogram | null = null;
let recordingSince = 0;
/** The worst latency (ms) in each second of the measurement: one stall, or slow throughout? */
let worstPerSecond: number[] = [];

function onRead(this: net.Socket, n: number): boolean {
  if (joining.size > 0) {
    const j = joining.get(this);
    if (j !== undefined) {
      j.greeted?.();
      j.greeted = null;
      // Other members' join lines may follow ours in the same read: search first, then keep a tail.
      const seen = j.seen + shared.toString('latin1', 0, n);
      j.seen = seen.slice(-j.want.length);
      if (seen.includes(j.want)) {
        joining.delete(this);
        j.joined();
      }
      return true;
    }
  }
  if (histogram !== null) {
    const p = probes.get(this);
    if (p !== undefined) record(p, shared.toString('latin1', 0, n));
  }
  return true;
}

/** Lines that end in ` tMICROS` carry their intended send time: latency from it (open loop, corrected). */
function record(p: { tail: string }, text: string): void {
  const now = nowUs();
  const lines = (p.tail + text).split('\n');
  p.tail = (lines.pop() as string).slice(-200);
  for (const line of lines) {
    const at = line.lastIndexOf(' t');
    if (at === -1) continue;
    const t = Number(line.slice(at + 2));
    if (!Number.isFinite(t) || t <= 0) continue;
    const us = Math.max(1, Math.round(now - t));
    histogram?.recordValue(us);
    const sec = Math.floor((now - recordingSince) / 1e6);
    worstPerSecond[sec] = Math.max(worstPerSecond[sec] ?? 0, us / 1000);
  }
}

async function connectAll(r: ConnectRequest): Promise<ConnectReply> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const started = performance.now();
  let lastGreeting = started;
  let next = 0;
  let slots = 0;
  let skipped = 0;
  const one = (i: number) => new Promise<void>((resolve, reject) => {
    // Each attempt takes the next (address, port): a retry must not land on a port a later client holds.
    const slot = slots++;
    const a = Math.floor(slot / r.perAddress);
    const localAddress = `127.0.${Math.floor(a / 254)}.${2 + (a % 254)}`;
    // An explicit port: bind() to port 0 on a given address searches the port range for a free one,
    // which grew to most of the driver's CPU as the clients added up.
    const localPort = r.firstPort + (slot % r.perAddress);
    const s = net.connect({ port: r.port, host: '127.0.0.1', localAddress, localPort, noDelay: true, onread: { buffer: shared, callback: onRead } });
    const timer = setTimeout(() => reject(new Error(`client ${i} did not join in 60 s`)), 60_000);
    joining.set(s, {
      want: `c${i} joined #room${i % r.rooms}`, seen: '',
      greeted: () => (lastGreeting = performance.now()),
      joined: () => { clearTimeout(timer); resolve(); },
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      joining.delete(s);
      sockets.splice(sockets.indexOf(s), 1);
      // A port some other program holds (a server on a fixed port, a connection in TIME_WAIT): the next one.
      if ((err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL') && skipped < 100) {
        skipped++;
        one(i).then(resolve, reject);
      } else {
        reject(new Error(`client ${i} from ${localAddress}:${localPort}: ${err.message}`));
      }
    });
    s.write(`/nick c${i}\n/join room${i % r.rooms}\n`);
    sockets.push(s);
  });
  await Promise.all(Array.from({ length: r.parallel }, async () => {
    while (next < r.connections) await one(next++);
  }));
  const seconds = (performance.now() - started) / 1000;
  await new Promise((res) => setTimeout(res, 1000));
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  return {
    acceptPerSec: r.connections / ((lastGreeting - started) / 1000),
    secondsToJoinAll: seconds,
    driverBytesPerClient: (after.rss - before.rss) / r.connections,
    driverHeapBytesPerClient: (after.heapUsed - before.heapUsed) / r.connections,
  };
}

async function active(r: ActiveRequest): Promise<ActiveReply> {
  // Senders spread over the clients and over the rooms: every `step`-th client would all share one
  // room when `step` is a multiple of the room count (client i is in room i mod rooms), so shift by k.
  const step = Math.max(1, Math.floor(sockets.length / r.senders));
  const senders = Array.from({ length: r.senders }, (_, k) => sockets[Math.min(sockets.length - 1, k * step + (k % step))] as net.Socket);
  // Probes: each sender (its echo) and another member of its room (the others' messages as delivered).
  for (let k = 0; k < senders.length; k++) {
    const i = Math.min(sockets.length - 1, k * step + (k % step));
    probes.set(senders[k] as net.Socket, { tail: '' });
    const other = sockets[i + r.rooms < sockets.length ? i + r.rooms : Math.max(0, i - r.rooms)];
    if (other !== undefined) probes.set(other, { tail: '' });
  }
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  // Each sender's schedule is offset by its share of a second, so the load is even, not one burst a second.
  const startUs = nowUs();
  const periodUs = 1e6 / r.rate;
  const due = senders.map((_, k) => startUs + (k / senders.length) * periodUs);
  let sent = 0;
  const timer = setInterval(() => {
    const now = nowUs();
    for (let k = 0; k < senders.length; k++) {
      let t = due[k] as number;
      if (t > now) continue;
      let batch = '';
      for (; t <= now; t += periodUs, sent++) batch += `x t${Math.round(t)}\n`;
      due[k] = t;
      (senders[k] as net.Socket).write(batch);
    }
  }, 1);
  await new Promise((res) => setTimeout(res, r.warmupMs));
  recordingSince = nowUs();
  worstPerSecond = [];
  histogram = h;
  const cpu0 = process.cpuUsage();
  await new Promise((res) => setTimeout(res, r.measureMs));
  const cpu = process.cpuUsage(cpu0);
  histogram = null;
  clearInterval(timer);
  probes.clear();
  const ms = (p: number) => h.getValueAtPercentile(p) / 1000;
  const reply = { sent, samples: h.totalCount, p50Ms: ms(50), p99Ms: ms(99), p999Ms: ms(99.9), maxMs: h.maxValue / 1000,
    driverCores: (cpu.user + cpu.system) / 1000 / r.measureMs, worstPerSecond: Array.from(worstPerSecond, (x) => Math.round(x ?? 0)) };
  h.destroy();
  return reply;
}

process.on('message', (msg: ConnectRequest | ActiveRequest | { cmd: 'close' }) => {
  const reply = (p: Promise<unknown>) => p.then((value) => process.send?.({ ok: true, value }), (err: Error) => process.send?.({ ok: false, error: err.message }));
  if (msg.cmd === 'connect') reply(connectAll(msg));
  else if (msg.cmd === 'active') reply(active(msg));
  else {
    for (const s of sockets) s.destroy();
    process.disconnect();
  }
});
