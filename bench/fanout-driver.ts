/**
 * Drives a room of N members against a server and counts deliveries (lines received) per second.
 * Closed loop per sender: at most `window` of its lines in flight (sent, own echo not yet back), so the
 * offered load follows what the server can fan out instead of piling up in its queues.
 * The receive path only counts newlines (memchr via indexOf): the driver must not be the bottleneck.
 */
import net from 'node:net';

export type FanoutTarget = 'chatpulse' | 'bare';

export interface FanoutOptions {
  port: number;
  /** Several nodes of one cluster: members are spread over them round-robin (senders included). */
  ports?: number[];
  target: FanoutTarget;
  members: number;
  senders: number;
  /** Lines per sender in flight. @default 64 */
  window?: number;
  warmupMs?: number;
  measureMs?: number;
  /** Bytes of filler per message. @default 16 */
  size?: number;
  /** Called when the measurement window opens and closes (to sample the server's CPU). */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface FanoutResult {
  deliveriesPerSec: number;
  messagesPerSec: number;
  /** CPU seconds the driver used per wall second (1.0 = one core busy). */
  driverCpu: number;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

function waitForText(s: net.Socket, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`timed out waiting for '${text}'`)), timeoutMs);
    const on = (d: Buffer) => {
      seen += d.toString('latin1');
      const hit = seen.includes(text);
      seen = seen.slice(-text.length);
      if (hit) {
        clearTimeout(t);
        s.off('data', on);
        resolve();
      }
    };
    s.on('data', on);
  });
}

function countNewlines(chunk: Buffer): number {
  let n = 0;
  let i = -1;
  while ((i = chunk.indexOf(10, i + 1)) !== -1) n++;
  return n;
}

function countPattern(buf: Buffer, pattern: Buffer): number {
  let n = 0;
  let i = -1;
  while ((i = buf.indexOf(pattern, i + 1)) !== -1) n++;
  return n;
}

export async function measureFanout(opts: FanoutOptions): Promise<FanoutResult> {
  const window = opts.window ?? 64;
  // The bare baseline delivers the sender's line as is; pad it to the length chatpulse's
  // `[bench] bN: ` prefix adds, so both deliver the same bytes per line.
  const filler = 'x'.repeat((opts.size ?? 16) + (opts.target === 'bare' ? '[bench] b0: '.length : 0));
  const sockets: net.Socket[] = [];
  const ports = opts.ports ?? [opts.port];
  for (let i = 0; i < opts.members; i++) sockets.push(await connect(ports[i % ports.length] as number));
  if (opts.target === 'chatpulse') {
    await Promise.all(sockets.map((s, i) => {
      const joined = waitForText(s, `b${i} joined #bench`);
      s.write(`/nick b${i}\n/join bench\n`);
      return joined;
    }));
  }
  let received = 0;
  let sentTotal = 0;
  let stopped = false;
  for (const s of sockets) {
    s.on('data', (chunk: Buffer) => {
      received += countNewlines(chunk);
    });
    s.on('error', () => {});
  }
  const senders = sockets.slice(0, opts.senders).map((socket, id) => {
    const pattern = Buffer.from(opts.target === 'chatpulse' ? 'You: s' : `s${id} `);
    const state = { socket, id, seq: 0, inFlight: 0, tail: Buffer.alloc(0) };
    const refill = () => {
      if (stopped || state.inFlight > window / 2) return;
      const n = window - state.inFlight;
      let batch = '';
      for (let k = 0; k < n; k++) batch += `s${id} ${state.seq++} ${filler}\n`;
      state.inFlight += n;
      sentTotal += n;
      socket.write(batch);
    };
    socket.on('data', (chunk: Buffer) => {
      const buf = state.tail.length ? Buffer.concat([state.tail, chunk]) : chunk;
      state.inFlight -= countPattern(buf, pattern);
      state.tail = Buffer.from(buf.subarray(Math.max(0, buf.length - pattern.length + 1)));
      refill();
    });
    return refill;
  });
  senders.forEach((refill) => refill());
  await new Promise((r) => setTimeout(r, opts.warmupMs ?? 1000));
  const r0 = received;
  const s0 = sentTotal;
  const cpu0 = process.cpuUsage();
  opts.onWindow?.('start');
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, opts.measureMs ?? 4000));
  const seconds = (performance.now() - t0) / 1000;
  opts.onWindow?.('end');
  const cpu = process.cpuUsage(cpu0);
  const r1 = received;
  const s1 = sentTotal;
  stopped = true;
  for (const s of sockets) s.destroy();
  return {
    deliveriesPerSec: (r1 - r0) / seconds,
    messagesPerSec: (s1 - s0) / seconds,
    driverCpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}
