/**
 * The chat core's only outward interface: typed events. `metrics/` subscribes; the core runs the same
 * with no subscriber at all (emitting to no listener costs one array-length check).
 */
import type { ErrorKind } from '../protocol/index.js';

export type DisconnectReason =
  | 'quit' | 'closed' | 'error' | 'slow_consumer' | 'shutdown' | 'replaced'
  | 'login_timeout' | 'idle_timeout' | 'line_timeout';

/** Why a `!` line was sent: the kind a reader of the line gets back (protocol/errors.ts). */
export type ErrorReason = ErrorKind;

export interface ChatEventMap {
  connect: { connId: number; transport: string; remote: string };
  disconnect: { connId: number; nick: string | null; reason: DisconnectReason };
  login: { connId: number; nick: string; restoredRooms: number };
  nick: { connId: number; from: string; to: string };
  join: { nick: string; room: string; members: number };
  leave: { nick: string; room: string; members: number };
  /** A room message after fan-out: `deliveries` lines were queued (the sender's echo included). */
  message: { readonly room: string; readonly nick: string; readonly text: string; readonly deliveries: number; readonly bytesOut: number };
  pm: { from: string; to: string };
  /** A room message from another node, fanned out to this node's members. Not a new message: never count it as one. */
  relay: { room: string; deliveries: number; bytesOut: number };
  /** The cluster bus (Redis) came up or went down. */
  cluster: { node: string; up: boolean };
  error: { connId: number; reason: ErrorReason };
  /**
   * Once per write flush: bytes read since the last flush, and fan-out times of the messages it wrote
   * (a view of a buffer the next flush reuses: read it during the call).
   */
  flush: { bytesIn: number; bytesOut: number; fanoutSeconds: ArrayLike<number> };
}

/**
 * The 'message' event. The fan-out path never decodes a room message, so `text` is decoded only when
 * a listener reads it, from bytes that never change (the room's line or frame arena).
 */
export class RoomMessageEvent {
  #text: string | undefined;
  constructor(
    readonly room: string,
    readonly nick: string,
    readonly deliveries: number,
    readonly bytesOut: number,
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get text(): string {
    return (this.#text ??= this.bytes.toString('utf8', this.start, this.end));
  }
}

export type ChatEventName = keyof ChatEventMap;
type Listener<K extends ChatEventName> = (event: ChatEventMap[K]) => void;

export class ChatEvents {
  readonly #listeners: { [K in ChatEventName]?: Listener<K>[] } = {};

  on<K extends ChatEventName>(name: K, fn: Listener<K>): () => void {
    const list = (this.#listeners[name] ??= []) as Listener<K>[];
    list.push(fn);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  has(name: ChatEventName): boolean {
    return (this.#listeners[name]?.length ?? 0) > 0;
  }

  emit<K extends ChatEventName>(name: K, event: ChatEventMap[K]): void {
    const list = this.#listeners[name] as Listener<K>[] | undefined;
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) (list[i] as Listener<K>)(event);
  }
}
