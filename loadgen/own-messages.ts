/**
 * A client's own room messages between their write and the moment their recipients are known, and the
 * rule that decides them (see room-view.ts for why the echo decides exactly):
 *
 * - exact (the protocol echoes, one server): decided when the echo arrives — the room's members then.
 * - windowed (no echo, or several servers): decided `windowMs` after the anchor (the echo, or the write
 *   without one); members whose join or leave was seen from the write to the window's end are ambiguous.
 *   The window is a guess at how late the server handles messages (its recent lag); a message that
 *   reached a client of this worker was handled by then, so its window reaches at least `READ_MARGIN_MS`
 *   past that first delivery, and it is not judged before one came (up to `timeoutMs`): with ngircd's
 *   flood penalty a burst's message was handled 2.4 s after its write, past a 1.8 s window — a leave
 *   handled before it read as lost, a join as an unexpected delivery.
 * - an echo that never comes (the server dropped it, or it is `timeoutMs` overdue, or a later echo came
 *   first) is decided as windowed from the write; a message still undecided when its client disconnects
 *   or leaves the room is decided with what was seen so far; one still awaiting its echo when the
 *   connection drops is wholly ambiguous (the server may never have handled it), and so is one echoed
 *   less than a window before it drops with several servers (its node may have died before relaying it).
 */
import { WHOLLY_AMBIGUOUS, type Expectation, type RoomView } from './room-view.js';

/**
 * How much later than the first recipient in its worker the sender may read a membership change the
 * server handled before the message (both written by the server in the same instant; read in the same
 * or the next turn of the event loop).
 */
export const READ_MARGIN_MS = 250;

export interface OwnMessagesMode {
  /** The protocol sends a sender its own room messages. */
  echo: boolean;
  /** Only one server: its order is the one order (with `echo`, decisions are exact). */
  oneServer: boolean;
  /** How far around a message a membership change is undecidable, ms. */
  windowMs: number;
  /** An echo not seen this long after its write is lost, ms. */
  timeoutMs: number;
}

export type Decide = (seq: number, writtenMs: number, e: Expectation) => void;

export class OwnMessages {
  readonly #view: RoomView;
  /** Mutable: a protocol may learn whether it echoes only once logged in (set while nothing is pending). */
  readonly mode: OwnMessagesMode;
  readonly #decide: Decide;
  // Oldest first: sequence, write time, members at the write, anchor time (0 = awaiting echo), members then.
  #seq: number[] = [];
  #written: number[] = [];
  #sizeAtWrite: number[] = [];
  #anchor: number[] = [];
  #sizeAtAnchor: number[] = [];
  /** Exact decisions only: of the members then, those the plan drops around that moment (ambiguous). */
  #droppingAtAnchor: number[] = [];
  /** When the message first reached a client of this worker (epoch ms; 0 = not yet). */
  #delivered: number[] = [];
  /** Entries before this index are decided (dropped lazily: see #drop). */
  #head = 0;
  #awaitingEcho = 0;

  constructor(view: RoomView, mode: OwnMessagesMode, decide: Decide) {
    this.#view = view;
    this.mode = mode;
    this.#decide = decide;
  }

  /** Messages written whose echo has not come yet (the `--inflight` window). */
  get awaitingEcho(): number {
    return this.#awaitingEcho;
  }

  get length(): number {
    return this.#seq.length - this.#head;
  }

  /** Oldest write still awaiting its echo (epoch ms), or Infinity. */
  oldestAwaitingEcho(): number {
    for (let i = this.#head; i < this.#seq.length; i++) if (this.#anchor[i] === 0) return this.#written[i] as number;
    return Infinity;
  }

  sent(seq: number, writtenMs: number): void {
    const size = this.#view.size;
    this.#seq.push(seq);
    this.#written.push(writtenMs);
    this.#sizeAtWrite.push(size);
    this.#droppingAtAnchor.push(0);
    this.#delivered.push(0);
    if (this.mode.echo) {
      this.#anchor.push(0);
      this.#sizeAtAnchor.push(0);
      this.#awaitingEcho++;
    } else {
      this.#anchor.push(writtenMs);
      this.#sizeAtAnchor.push(size);
    }
  }

  /** The echo of `seq` arrived at `now`: earlier ones still awaiting theirs never will (lines keep order). */
  echoed(seq: number, now: number): void {
    let i = this.#head;
    for (; i < this.#seq.length; i++) {
      if (this.#anchor[i] !== 0) continue;
      const s = this.#seq[i] as number;
      if (s > seq) return;
      this.#awaitingEcho--;
      if (s < seq) {
        this.#anchor[i] = -1; // echo lost: decided below, from the write
        continue;
      }
      if (this.mode.oneServer) {
        this.#anchor[i] = -2; // decided now, exactly
        this.#sizeAtAnchor[i] = this.#view.size;
        this.#droppingAtAnchor[i] = this.#view.droppingNear(this.#written[i] as number, now);
      } else {
        this.#anchor[i] = now;
        this.#sizeAtAnchor[i] = this.#view.size;
      }
      break;
    }
    this.sweep(now);
  }

  /** Message `seq` reached a client of this worker at `at` (the first time counts): the server had handled it. */
  delivered(seq: number, at: number): void {
    // Exact decisions (an echo from the one server) need no window, and so no delivery time.
    if (this.mode.echo && this.mode.oneServer) return;
    for (let i = this.#head; i < this.#seq.length; i++) {
      const s = this.#seq[i] as number;
      if (s > seq) return;
      if (s === seq) {
        if (this.#delivered[i] === 0) this.#delivered[i] = at;
        return;
      }
    }
  }

  /** Decides what is due: exact echoes, lost echoes, windows that have closed, echoes overdue. */
  sweep(now: number): void {
    const { windowMs, timeoutMs } = this.mode;
    let k = this.#head;
    for (; k < this.#seq.length; k++) {
      const anchor = this.#anchor[k] as number;
      const written = this.#written[k] as number;
      const seq = this.#seq[k] as number;
      if (anchor === -2) {
        this.#decide(seq, written, this.#exact(k));
      } else if (anchor === -1) {
        this.#decide(seq, written, this.#view.windowed(this.#sizeAtWrite[k] as number, written, written, now));
      } else if (anchor === 0) {
        if (now - written < timeoutMs) break;
        this.#awaitingEcho--;
        this.#decide(seq, written, this.#view.windowed(this.#sizeAtWrite[k] as number, written, written, now));
      } else {
        // Not before the server handled it, as far as this worker can tell: its first delivery here
        // (none may come — no member in this worker — so only up to the loss timeout).
        // (Only when one can come here: a room whose other members are all in other workers — or that
        // has none — held every message a loss timeout for nothing.)
        const delivered = this.#delivered[k] as number;
        if (delivered === 0 && now - written < timeoutMs && this.#view.hasLocalOther()) break;
        const to = Math.max(anchor + windowMs, delivered > 0 ? delivered + READ_MARGIN_MS : 0);
        if (now < to) break;
        this.#decide(seq, written, this.#view.windowed(this.#sizeAtAnchor[k] as number, written, anchor, to));
      }
    }
    this.#drop(k);
    this.#view.prune(this.length > 0 ? (this.#written[this.#head] as number) : now - windowMs);
  }

  /** The client leaves the room these were sent to: decide each with what was seen so far. */
  settleAll(now: number): void {
    this.#decideAll(now, false);
  }

  /** The connection dropped: a message still awaiting its echo may never have reached the server. */
  abandon(now: number): void {
    this.#decideAll(now, true);
  }

  #decideAll(now: number, dropped: boolean): void {
    for (let k = this.#head; k < this.#seq.length; k++) {
      const seq = this.#seq[k] as number;
      const anchor = this.#anchor[k] as number;
      const written = this.#written[k] as number;
      if (anchor === -2) this.#decide(seq, written, this.#exact(k));
      // Several servers, and the connection dropped within a window of the echo: the node that echoed
      // it may have died before passing it on to the others (a kill -9 read a few lost). Who may have
      // it is not bounded by the room as the sender saw it: a member that joined on another node as
      // the sender's died (its announcement never reached the sender) read as unexpected.
      else if (anchor > 0 && dropped && now - anchor < this.mode.windowMs) this.#decide(seq, written, { expected: 0, ambiguous: WHOLLY_AMBIGUOUS });
      else if (anchor > 0) this.#decide(seq, written, this.#view.windowed(this.#sizeAtAnchor[k] as number, written, anchor, now));
      else if (anchor === 0 && dropped) this.#decide(seq, written, { expected: 0, ambiguous: WHOLLY_AMBIGUOUS });
      else this.#decide(seq, written, this.#view.windowed(this.#sizeAtWrite[k] as number, written, written, now));
    }
    this.#drop(this.#seq.length);
    this.#awaitingEcho = 0;
  }

  /**
   * The members at the echo; those the run itself drops around then (a disconnect storm cuts them with
   * the message perhaps still in their socket) are neither expected nor not.
   */
  #exact(k: number): Expectation {
    const dropping = this.#droppingAtAnchor[k] as number;
    return { expected: (this.#sizeAtAnchor[k] as number) - dropping, ambiguous: dropping };
  }

  /**
   * Entries before `k` are decided. They are dropped when none are left (nearly always: an echo comes
   * back before the next write) or when they are most of the arrays — not with five splices per echo,
   * each of which also built an array of what it removed (~2 % of a busy worker, perf).
   */
  #drop(k: number): void {
    this.#head = k;
    const n = this.#seq.length;
    if (k === n) {
      this.#seq.length = this.#written.length = this.#sizeAtWrite.length = this.#anchor.length = this.#sizeAtAnchor.length = 0;
      this.#droppingAtAnchor.length = this.#delivered.length = 0;
      this.#head = 0;
    } else if (k >= 64 && k * 2 >= n) {
      for (const a of [this.#seq, this.#written, this.#sizeAtWrite, this.#anchor, this.#sizeAtAnchor, this.#droppingAtAnchor, this.#delivered]) a.splice(0, k);
      this.#head = 0;
    }
  }
}
