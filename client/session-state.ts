/**
 * What the client learns about itself from the server's lines: its nickname (to send `/nick` again
 * after a reconnect) and its active room (for the prompt). Only the server's own `*` lines count.
 */
import { showControls } from './visible.js';

const WELCOME = /^\* Welcome(?: back)?, (\S+?)\. (?:You are in #(\S+?)\.|Rooms restored: .*; active room: #(\S+)$)/;
const JOINED = /^\* (\S+) joined #(\S+)$/;
const ACTIVE = /^\* #(\S+) is now your active room$/;
const RENAMED = /^\* (\S+) is now known as (\S+)$/;
/** `is taken` alone, or with the reason (`: it looks like 'ann'`, a lookalike of a nickname in use). */
const TAKEN = /^! nickname '(\S+)' is taken(?:$|: )/;

export class SessionState {
  nick: string | null = null;
  active: string | null = null;
  /** Set when the server refused our nickname as taken. */
  taken: string | null = null;

  /** Updates from one server line; returns true when the prompt should change. */
  update(line: string): boolean {
    let m: RegExpExecArray | null;
    if (!line.startsWith('* ') && !line.startsWith('! ')) return false;
    if ((m = WELCOME.exec(line))) {
      this.nick = m[1] as string;
      this.active = (m[2] ?? m[3]) as string;
      this.taken = null;
      return true;
    }
    if ((m = JOINED.exec(line)) && m[1] === this.nick) {
      this.active = m[2] as string;
      return true;
    }
    if ((m = ACTIVE.exec(line))) {
      this.active = m[1] as string;
      return true;
    }
    if ((m = RENAMED.exec(line)) && m[1] === this.nick) {
      this.nick = m[2] as string;
      return true;
    }
    if ((m = TAKEN.exec(line))) this.taken = m[1] as string;
    return false;
  }

  /** Forgets the connection-bound part; the nickname is kept to log in again. */
  disconnected(): void {
    this.active = null;
  }

  prompt(): string {
    // The room name comes from the server: shown, never obeyed.
    return this.active === null ? '> ' : `#${showControls(this.active)}> `;
  }
}
