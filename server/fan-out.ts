import { performance } from 'node:perf_hooks';
import { defuseControls, roomPrefix } from '../protocol/index.js';
import type { ClusterLink } from './cluster-link.js';
import { RoomMessageEvent, type ChatEvents, type ErrorReason } from './events.js';
import type { HistoryStore } from './history-store.js';
import * as lines from './lines.js';
import { looksLikeYou } from './nick-skeleton.js';
import { frameBytes, type LineArena } from './line-arena.js';
import type { RoomRegistry } from './rooms.js';
import type { Session } from './session.js';

/** A relayed line's send time further than this from ours is not believed. */
const DAY_MS = 86_400_000;

export interface FanOutDeps {
  events: ChatEvents;
  rooms: RoomRegistry<Session>;
  history: HistoryStore | undefined;
  cluster: ClusterLink | undefined;
  /** Wall clock in ms (rate limit, history timestamps). */
  now: () => number;
}

/**
 * Everything the chat core writes goes out through here: room messages appended to the room's
 * line and frame arenas, which its members follow (the hot path), single lines to one session, and the bytes
 * and fan-out times of each event-loop turn, handed to `ChatEvents` after the write coalescer
 * flushed them.
 */
export class FanOut {
  readonly #events: ChatEvents;
  readonly #rooms: RoomRegistry<Session>;
  readonly #history: HistoryStore | undefined;
  readonly #cluster: ClusterLink | undefined;
  readonly #now: () => number;
  #bytesIn = 0;
  #bytesOut = 0;
  /** Event-loop turns flushed so far (sizes the rooms' line arenas). */
  #turn = 0;
  /**
   * Clocks read once per socket read (`read`): every line of one read arrived at the same moment,
   * and reading them per line was ~2 % of the fan-out path. Wall ms (rate limit, history) and
   * performance.now() (fan-out time).
   */
  #readMs = 0;
  #readPerf = 0;
  /**
   * performance.now() at receipt of each room message not yet flushed to its members' sockets, the
   * first #started of them. Typed and kept between turns: an array emptied each turn (`length = 0`
   * frees its store) grew again through every size on every busy turn.
   */
  #fanoutStarts = new Float64Array(1024);
  #started = 0;
  #fanoutSeconds = new Float64Array(1024);

  constructor(deps: FanOutDeps) {
    this.#events = deps.events;
    this.#rooms = deps.rooms;
    this.#history = deps.history;
    this.#cluster = deps.cluster;
    this.#now = deps.now;
  }

  /** Wall ms of the last socket read (or `readClocks()`): when the lines being handled arrived. */
  get readMs(): number {
    return this.#readMs;
  }

  /** A socket read of `n` bytes: counted, and the clocks read for all of its lines. */
  read(n: number): void {
    this.#bytesIn += n;
    this.readClocks();
  }

  readClocks(): void {
    this.#readMs = this.#now();
    this.#readPerf = performance.now();
  }

  /** Called by the write coalescer after each flush: fan-out times and byte counts for this turn. */
  readonly afterFlush = (): void => {
    this.#turn++;
    const n = this.#started;
    if (n === 0 && this.#bytesIn === 0 && this.#bytesOut === 0) return;
    const end = performance.now();
    const starts = this.#fanoutStarts;
    if (this.#fanoutSeconds.length < n) this.#fanoutSeconds = new Float64Array(starts.length);
    const seconds = this.#fanoutSeconds;
    for (let i = 0; i < n; i++) seconds[i] = (end - (starts[i] as number)) / 1000;
    this.#started = 0;
    const bytesIn = this.#bytesIn;
    const bytesOut = this.#bytesOut;
    this.#bytesIn = 0;
    this.#bytesOut = 0;
    this.#events.emit('flush', { bytesIn, bytesOut, fanoutSeconds: seconds.subarray(0, n) });
  };

  #noteStart(): void {
    if (this.#started === this.#fanoutStarts.length) {
      const grown = new Float64Array(this.#started * 2);
      grown.set(this.#fanoutStarts);
      this.#fanoutStarts = grown;
    }
    this.#fanoutStarts[this.#started++] = this.#readPerf;
  }

  send(session: Session, line: Buffer): void {
    this.#bytesOut += line.length;
    session.conn.send(line);
  }

  /** An `!` line to one session, counted as an error event. */
  fail(session: Session, reason: ErrorReason, text: string): void {
    this.#events.emit('error', { connId: session.id, reason });
    this.send(session, lines.error(text));
  }

  /**
   * Room message: formatted once — cached prefix bytes plus the raw line, no re-encoding — into the
   * room's line arena while TCP members are here, and as a frame into its frame arena while WebSocket
   * members are. The members follow those arenas (`Connection.follow`): appending the line is what
   * delivers it, with no call per member. Members that do not follow yet (at the room's first message of a turn, after
   * a join, after anything else was queued for them, or while they alternate between two busy rooms)
   * are made to, from this line on: one pass over the members, then none until something breaks it.
   * The sender stops following while its own line is appended, gets its echo (built only in the
   * form it reads, in the room's echo arenas so that it never breaks the others' runs) and follows
   * again after its line.
   */
  toRoom(session: Session, raw: Buffer): void {
    const room = session.active;
    const nick = session.nick;
    if (room === null || nick === null) return;
    let prefix = session.prefix;
    if (session.prefixRoom !== room.name || prefix === null) {
      prefix = session.prefix = Buffer.from(roomPrefix(room.name, nick));
      session.prefixRoom = room.name;
    }
    const turn = this.#turn;
    const members = room.memberList;
    const lines = room.lines;
    const frames = room.frames;
    const conn = session.conn;
    conn.unfollow();
    const lineLength = prefix.length + raw.length + 1;
    // Each form is built only while some member reads it (a room of WebSocket members only has no
    // lines). The text is kept (history, events) where it lies: before the line's `\n`, or else at
    // the end of its frame.
    const framedOnly = room.framedMembers === members.length;
    let lineAt = -1;
    let frameAt = -1;
    if (!framedOnly) {
      if (lines.followers > 0 && lines.wouldRenew(lineLength, turn)) unfollowAll(members, lines);
      lineAt = lines.append(prefix, raw, turn);
    }
    if (room.framedMembers > 0) {
      if (frames.followers > 0 && frames.wouldRenew(frameBytes(lineLength - 1), turn)) unfollowAll(members, frames);
      frameAt = frames.appendFrame(prefix, raw, turn);
    }
    const text = framedOnly ? frames.buf : lines.buf;
    const textEnd = framedOnly ? frames.end : lineAt + lineLength - 1;
    const textAt = textEnd - raw.length;
    const echoLength = room.echoPrefix.length + raw.length + 1;
    if (conn.framed === true) {
      const at = room.echoFrames.appendFrame(room.echoPrefix, raw, turn);
      conn.sendSlice(room.echoFrames.buf, at, room.echoFrames.end);
    } else {
      const at = room.echoes.append(room.echoPrefix, raw, turn);
      conn.sendSlice(room.echoes.buf, at, at + echoLength);
    }
    // Followers are members, and the sender is not following now: all others follow, or some do not.
    if (lines.followers + frames.followers < members.length - 1) {
      for (let i = 0; i < members.length; i++) {
        const member = members[i] as Session;
        if (member === session) continue;
        const c = member.conn;
        if (c.framed === true) {
          if (!c.follows(frames)) c.follow(frames, frameAt);
        } else if (!c.follows(lines)) {
          c.follow(lines, lineAt);
        }
      }
    }
    if (conn.framed === true) conn.follow(frames, frames.end);
    else conn.follow(lines, lines.end);
    const bytesOut = (members.length - 1) * lineLength + echoLength;
    this.#bytesOut += bytesOut;
    this.#noteStart();
    this.#history?.appendBytes(room.name, this.#readMs, nick, text, textAt, textEnd);
    this.#cluster?.publishMessage(room.name, nick, text.toString('utf8', textAt, textEnd), this.#readMs);
    if (this.#events.has('message')) {
      this.#events.emit('message', new RoomMessageEvent(room.name, nick, members.length, bytesOut, text, textAt, textEnd));
    }
  }

  /** A room message from another node: kept in history and fanned out to the local members only. */
  relay(roomName: string, nick: string, text: string, sentAt?: number): void {
    const room = this.#rooms.get(roomName);
    // The local spelling, so one room keeps one pending history ring whatever another node typed.
    // Checked by the sending node, unless it runs an older version: never relay controls raw, nor
    // a nickname that reads as each member's own echo (`*` is in no nickname, so none is forged).
    text = defuseControls(text);
    if (looksLikeYou(nick)) nick = `${nick}*`;
    // Stamped when it was sent, as on the sending node (a bus that was slow must not move it in /history);
    // a missing or absurd time (an older node, a clock a day off) is replaced by ours.
    const now = this.#now();
    const ts = sentAt !== undefined && Number.isFinite(sentAt) && Math.abs(sentAt - now) < DAY_MS ? sentAt : now;
    this.#history?.append(room?.name ?? roomName, ts, nick, text);
    if (!room) return;
    const line = lines.roomMessage(room.name, nick, text);
    for (const m of room.members) m.conn.send(line);
    const bytesOut = line.length * room.members.size;
    this.#bytesOut += bytesOut;
    this.#events.emit('relay', { room: room.name, deliveries: room.members.size, bytesOut });
  }
}

/** Every member following `arena` stops (before it starts a fresh buffer). */
function unfollowAll(members: readonly Session[], arena: LineArena): void {
  for (let i = 0; i < members.length; i++) {
    const conn = (members[i] as Session).conn;
    if (conn.follows(arena)) conn.unfollow();
  }
}
