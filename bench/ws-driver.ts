/**
 * Drives rooms of members against one of scenario 9's servers (ws-targets.ts) and counts deliveries
 * per second: WebSocket data frames walked by header (ws-frame-counter.ts) or, for chatpulse over TCP,
 * newlines. Two load shapes:
 * - `open`: every client sends `ratePerClient` messages/s on schedule (the issue's 400 clients × 40/s in
 *   rooms of 50), whatever comes back; offered deliveries = clients × rate × room size (echo included).
 * - `closed`: `sendersPerRoom` senders each keep ≤ `window` own messages in flight (sent, own echo not
 *   yet back), as bench/fanout-driver.ts does: the offered load follows what the server fans out.
 * The driver's own CPU is measured over the window: if it nears one core, it is the limit, not the server.
 */
import { connectMember, messageText, type Member, type MemberSpec, type WsBenchTarget } from './ws-targets.js';

export type WsLoad =
  | { kind: 'open'; ratePerClient: number }
  | { kind: 'closed'; sendersPerRoom: number; window: number };

export interface WsDriverOptions {
  target: WsBenchTarget;
  port: number;
  /** @default 400 */
  clients?: number;
  /** Members per room; rooms = clients / roomSize. @default 50 */
  roomSize?: number;
  load: WsLoad;
  /** @default 1000 */
  warmupMs?: number;
  /** @default 4000 */
  measureMs?: number;
  /** Bytes of filler per message. @default 16 */
  size?: number;
  /** Open loop: how long after the last send deliveries still count towards `deliveredShare`. @default 2000 */
  drainMs?: number;
  /** Called when the measurement window opens and closes (to sample the server's CPU). */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface WsDriverResult {
  /** Chat messages (frames or lines) sent per second. */
  framesPerSec: number;
  deliveriesPerSec: number;
  /** Open loop only: what a server keeping up would deliver. */
  offeredDeliveriesPerSec?: number;
  /**
   * Open loop only: of every delivery the whole run offered (warm-up included), the share that had
   * arrived by `drainMs` after the last send. Steadier than the window's rate on a busy machine, where
   * a starved server delivers in bursts that straddle the window's edges.
   */
  deliveredShare?: number;
  /** CPU seconds the driver used per wall second (1.0 = one core busy). */
  driverCpu: number;
}

/** A target that delivered at least this share of all it was offered kept up with the load. */
export const KEPT_UP = 0.999;

/**
 * The deliveries/s a target is compared by. In the open loop, one that kept up (`KEPT_UP`) did all
 * the work there was: it counts as the offered rate, since its windowed rate a hair above or below
 * that is where the window's edges fell (two such targets read 0.9998× or 1.0002× of each other by
 * chance). Everything else — the closed loop, a target that fell behind — counts as measured.
 */
export function comparableRate(r: WsDriverResult): number {
  if (r.offeredDeliveriesPerSec !== undefined && r.deliveredShare !== undefined && r.deliveredShare >= KEPT_UP) return r.offeredDeliveriesPerSec;
  return r.deliveriesPerSec;
}

interface Sender {
  member: Member;
  spec: MemberSpec;
  seq: number;
}

export async function measureWs(opts: WsDriverOptions): Promise<WsDriverResult> {
  const clients = opts.clients ?? 400;
  const roomSize = opts.roomSize ?? 50;
  if (!Number.isInteger(clients / roomSize)) throw new RangeError(`Expected \`clients\` to be a multiple of \`roomSize\` (${roomSize}), got ${clients}`);
  const filler = 'x'.repeat(opts.size ?? 16);
  const specs: MemberSpec[] = [];
  for (let i = 0; i < clients; i++) specs.push({ port: opts.port, index: i, room: Math.floor(i / roomSize) });
  const members: Member[] = [];
  try {
    // One room at a time: 50 logins at once, not 400 (a join announcement goes to the whole room).
    for (let r = 0; r < clients / roomSize; r++) {
      const settled = await Promise.allSettled(specs.slice(r * roomSize, (r + 1) * roomSize).map((s) => connectMember(opts.target, s)));
      for (const x of settled) if (x.status === 'fulfilled') members.push(x.value);
      const failed = settled.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    let sent = 0;
    let stopped = false;
    const received = () => {
      let n = 0;
      for (const m of members) n += m.received();
      return n;
    };
    const loadStart = received();
    const text = (s: Sender) => messageText(opts.target, s.spec, s.seq++, filler);
    let timer: NodeJS.Timeout | undefined;
    if (opts.load.kind === 'open') {
      const rate = opts.load.ratePerClient;
      const senders: Sender[] = members.map((member, i) => ({ member, spec: specs[i] as MemberSpec, seq: 0 }));
      const t0 = performance.now();
      // Each client's schedule is offset by its share of one period, so sends spread over the period.
      timer = setInterval(() => {
        const elapsed = (performance.now() - t0) / 1000;
        for (let i = 0; i < senders.length; i++) {
          const s = senders[i] as Sender;
          const due = Math.floor(elapsed * rate + i / senders.length) - s.seq;
          if (due <= 0) continue;
          const texts: string[] = [];
          for (let k = 0; k < due; k++) texts.push(text(s));
          sent += due;
          s.member.send(texts);
        }
      }, 2);
    } else {
      const { sendersPerRoom, window } = opts.load;
      for (let r = 0; r < clients / roomSize; r++) {
        for (let k = 0; k < Math.min(sendersPerRoom, roomSize); k++) {
          const i = r * roomSize + k;
          const s: Sender = { member: members[i] as Member, spec: specs[i] as MemberSpec, seq: 0 };
          const refill = () => {
            const inFlight = s.seq - s.member.acks();
            if (stopped || inFlight > window / 2) return;
            const texts: string[] = [];
            for (let n = inFlight; n < window; n++) texts.push(text(s));
            sent += texts.length;
            s.member.send(texts);
          };
          s.member.onChunk = refill;
          refill();
        }
      }
    }
    await new Promise((r) => setTimeout(r, opts.warmupMs ?? 1000));
    const r0 = received();
    const s0 = sent;
    const cpu0 = process.cpuUsage();
    opts.onWindow?.('start');
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, opts.measureMs ?? 4000));
    const seconds = (performance.now() - t0) / 1000;
    opts.onWindow?.('end');
    const cpu = process.cpuUsage(cpu0);
    const r1 = received();
    const s1 = sent;
    stopped = true;
    clearInterval(timer);
    let deliveredShare: number | undefined;
    if (opts.load.kind === 'open') {
      // Drained when nothing more has come for 300 ms, or at drainMs.
      const until = performance.now() + (opts.drainMs ?? 2000);
      let last = received();
      let quietSince = performance.now();
      while (performance.now() < until && performance.now() - quietSince < 300) {
        await new Promise((r) => setTimeout(r, 50));
        const now = received();
        if (now !== last) quietSince = performance.now();
        last = now;
      }
      deliveredShare = (last - loadStart) / (sent * roomSize);
    }
    return {
      framesPerSec: (s1 - s0) / seconds,
      deliveriesPerSec: (r1 - r0) / seconds,
      ...(opts.load.kind === 'open' ? { offeredDeliveriesPerSec: clients * opts.load.ratePerClient * roomSize, deliveredShare } : {}),
      driverCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    };
  } finally {
    for (const m of members) m.destroy();
  }
}
