/**
 * Bench scenario 4: latency of room fan-out at a fixed offered rate (open loop). Senders write on a
 * schedule (intended times every 1/rate s, in 1 ms batches); a few probe members parse each delivery
 * and record latency from the intended time (corrected for coordinated omission) into an
 * HdrHistogram; the other members are sinks that read and ignore their lines, so the driver stays
 * cheaper than the server it measures.
 */
import net from 'node:net';
import * as hdr from 'hdr-histogram-js';

export interface LatencyOptions {
  port: number;
  members: number;
  senders: number;
  probes: number;
  /** Messages per second offered, all senders together. */
  rate: number;
  warmupMs: number;
  measureMs: number;
}

export interface LatencyResult {
  offeredPerSec: number;
  achievedDeliveriesPerSec: number;
  /** Deliveries per second expected at the offered rate (rate × members). */
  offeredDeliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  samples: number;
}

const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;

/** Bytes a socket reads go to `onBytes`; once logged in, sinks ignore theirs. */
interface Member {
  socket: net.Socket;
  onBytes: (buf: Buffer) => void;
}

const IGNORE = (_buf: Buffer): void => {};

/**
 * A member's socket, read through `onread` into one reused buffer (a probe takes a view of each read,
 * and joins a line split across two reads). Sinks, once logged in, do nothing with it, because 46
 * members' lines must only leave the kernel: counting or parsing them would make the driver, not the
 * server, the busiest process on the machine. Probes parse each read where it lies. (Probes once read through 'data' events, a fresh Buffer per read:
 * ~26 MB/s of external memory at 217 k msg/s, and the driver's own old-generation GC then stalled its
 * send timer for 8–15 ms — inside the corrected latency it reports about the server.)
 */
function connect(port: number): Promise<Member> {
  return new Promise((resolve, reject) => {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const onread = {
      buffer,
      callback: (n: number): boolean => {
        if (m.onBytes !== IGNORE) m.onBytes(buffer.subarray(0, n));
        return true;
      },
    };
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true, onread }, () => resolve(m));
    const m: Member = { socket, onBytes: IGNORE };
    socket.once('error', reject);
  });
}

/** The line `x t<µs>\n` for each intended send time, 16 digits each (µs since 1970 until 2286), in one buffer. */
const SEND_LINE = 20;
export function sendLines(firstUs: number, everyUs: number, count: number): Buffer {
  const out = Buffer.allocUnsafe(count * SEND_LINE);
  for (let m = 0, at = 0; m < count; m++, at += SEND_LINE) {
    let v = Math.round(firstUs + m * everyUs);
    out[at] = 120; // x
    out[at + 1] = 32;
    out[at + 2] = 116; // t
    for (let d = at + 18; d >= at + 3; d--) {
      out[d] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
    out[at + 19] = 10;
  }
  return out;
}

function joined(m: Member, nick: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const want = `${nick} joined #lat`;
    m.onBytes = (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.includes(want)) {
        m.onBytes = IGNORE;
        resolve();
      }
      seen = seen.slice(-want.length);
    };
    m.socket.write(`/nick ${nick}\n/join lat\n`);
  });
}

export async function measureLatency(o: LatencyOptions): Promise<LatencyResult> {
  const members: Member[] = [];
  const firstProbe = o.members - o.probes;
  for (let i = 0; i < o.members; i++) members.push(await connect(o.port));
  await Promise.all(members.map((m, i) => joined(m, `l${i}`)));
  const sockets = members.map((m) => m.socket);
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let recording = false;
  let probeLines = 0;
  members.forEach((m, i) => {
    if (i < firstProbe) return; // a sink: its bytes are read and dropped
    const tail = Buffer.alloc(64);
    let tailLen = 0;
    // Probes parse from the first message on, not from the window's start: the driver's work must
    // not step up at the moment it starts measuring (that step showed as a 20–40 ms burst of latency
    // at the start of every window).
    m.onBytes = (chunk: Buffer) => {
      const now = nowUs();
      let start = 0;
      let nl: number;
      while ((nl = chunk.indexOf(10, start)) !== -1) {
        if (tailLen > 0) {
          // The line began in the last chunk: parse it from the kept tail plus this chunk's head.
          const line = Buffer.concat([tail.subarray(0, tailLen), chunk.subarray(0, nl)]);
          record(line, 0, line.length, now);
          tailLen = 0;
        } else {
          record(chunk, start, nl, now);
        }
        start = nl + 1;
      }
      const rest = chunk.length - start;
      if (rest > 0) tailLen = rest <= tail.length ? chunk.copy(tail, 0, start) : 0;
    };
  });
  /** A delivery: `… tMICROS` at the end of the line (the intended send time). */
  const record = (buf: Buffer, start: number, end: number, now: number) => {
    let t = 0;
    let scale = 1;
    let i = end - 1;
    for (; i > start; i--) {
      const c = buf[i] as number;
      if (c < 48 || c > 57) break;
      t += (c - 48) * scale;
      scale *= 10;
    }
    if (!recording) return;
    probeLines++;
    if (scale > 1 && buf[i] === 116 /* t */) histogram.recordValue(Math.max(1, Math.round(now - t)));
  };
  // Open loop: every ms each sender writes the messages whose intended time has come.
  const perSenderRate = o.rate / o.senders;
  const startUs = nowUs();
  const sent = new Array(o.senders).fill(0);
  const timer = setInterval(() => {
    const elapsedS = (nowUs() - startUs) / 1e6;
    for (let k = 0; k < o.senders; k++) {
      const due = Math.floor(elapsedS * perSenderRate);
      if (due <= sent[k]) continue;
      (sockets[k] as net.Socket).write(sendLines(startUs + (sent[k] / perSenderRate) * 1e6, 1e6 / perSenderRate, due - sent[k]));
      sent[k] = due;
    }
  }, 1);
  await new Promise((r) => setTimeout(r, o.warmupMs));
  recording = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.measureMs));
  const seconds = (performance.now() - t0) / 1000;
  recording = false;
  clearInterval(timer);
  for (const s of sockets) s.destroy();
  const ms = (p: number) => histogram.getValueAtPercentile(p) / 1000;
  const result = {
    offeredPerSec: o.rate,
    offeredDeliveriesPerSec: o.rate * o.members,
    // Every member receives every message (the senders as their echo): the probes' count stands for all.
    achievedDeliveriesPerSec: (probeLines / o.probes) * o.members / seconds,
    p50Ms: ms(50), p99Ms: ms(99), p999Ms: ms(99.9), maxMs: histogram.maxValue / 1000,
    samples: histogram.totalCount,
  };
  histogram.destroy();
  return result;
}
