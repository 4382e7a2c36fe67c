/**
 * Bench scenario 4: latency of room fan-out at a fixed offered rate (open loop). Senders write on a
 * schedule (intended times every 1/rate s, in 1 ms batches); a few probe members parse each delivery
 * and record latency from the intended time (corrected for coordinated omission) into an
 * HdrHistogram; the other members are sinks that only count lines, so the driver stays cheaper than
 * the server it measures.
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

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

function joined(s: net.Socket, nick: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const want = `${nick} joined #lat`;
    const on = (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.includes(want)) {
        s.off('data', on);
        resolve();
      }
      seen = seen.slice(-want.length);
    };
    s.on('data', on);
    s.write(`/nick ${nick}\n/join lat\n`);
  });
}

export async function measureLatency(o: LatencyOptions): Promise<LatencyResult> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < o.members; i++) sockets.push(await connect(o.port));
  await Promise.all(sockets.map((s, i) => joined(s, `l${i}`)));
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let recording = false;
  let delivered = 0;
  sockets.forEach((s, i) => {
    const probe = i >= o.members - o.probes;
    let partial = '';
    s.on('data', (chunk: Buffer) => {
      if (!recording) return;
      if (!probe) {
        let k = -1;
        while ((k = chunk.indexOf(10, k + 1)) !== -1) delivered++;
        return;
      }
      const now = nowUs();
      const text = partial + chunk.toString('latin1');
      let start = 0;
      let nl: number;
      while ((nl = text.indexOf('\n', start)) !== -1) {
        delivered++;
        const t = text.lastIndexOf(' t', nl);
        if (t > start) histogram.recordValue(Math.max(1, Math.round(now - Number(text.slice(t + 2, nl)))));
        start = nl + 1;
      }
      partial = text.slice(start);
    });
  });
  // Open loop: every ms each sender writes the messages whose intended time has come.
  const perSenderRate = o.rate / o.senders;
  const startUs = nowUs();
  const sent = new Array(o.senders).fill(0);
  const timer = setInterval(() => {
    const elapsedS = (nowUs() - startUs) / 1e6;
    for (let k = 0; k < o.senders; k++) {
      const due = Math.floor(elapsedS * perSenderRate);
      if (due <= sent[k]) continue;
      let batch = '';
      for (let m = sent[k]; m < due; m++) batch += `x t${Math.round(startUs + (m / perSenderRate) * 1e6)}\n`;
      sent[k] = due;
      (sockets[k] as net.Socket).write(batch);
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
    achievedDeliveriesPerSec: delivered / seconds,
    p50Ms: ms(50), p99Ms: ms(99), p999Ms: ms(99.9), maxMs: histogram.maxValue / 1000,
    samples: histogram.totalCount,
  };
  histogram.destroy();
  return result;
}
