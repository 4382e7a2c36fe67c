/** One connected, joined member of a bench scenario 9 room, whatever the transport (ws-targets.ts, tcp-member.ts). */
export interface Member {
  /** Sends these chat messages (texts as `messageText` made them), in one socket write. */
  send(texts: readonly string[]): void;
  /** Deliveries (lines or data frames) received so far. */
  received(): number;
  /** Own messages received back so far. */
  acks(): number;
  /** Called after each chunk has been counted (the closed loop refills here). */
  onChunk: (() => void) | null;
  destroy(): void;
}

/** Where member `index` (nick `u<index>`) of room `r<room>` connects. */
export interface MemberSpec {
  port: number;
  index: number;
  room: number;
}
