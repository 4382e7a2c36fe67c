/**
 * What the client learns about itself from the server's lines: its nickname (to send `/nick` again
 * after a reconnect) and its active room (for the prompt). Only the server's own `*` lines count.
 */
import { parseErrorLine, parseSystemLine } from '../protocol/index.js';
import { showControls } from './visible.js';

export class SessionState {
  nick: string | null = null;
  active: string | null = null;
  /** Set when the server refused our nickname as taken. */
  taken: string | null = null;

  /** Updates from one server line; returns true when the prompt should change. */
  update(line: string): boolean {
    if (line.startsWith('! ')) {
      const error = parseErrorLine(line);
      if (error.kind === 'nick_taken' && error.nick !== null) this.taken = error.nick;
      return false;
    }
    if (!line.startsWith('* ')) return false;
    const l = parseSystemLine(line);
    switch (l.kind) {
      case 'welcome':
      case 'welcomeBack':
        this.nick = l.nick;
        this.active = l.kind === 'welcome' ? l.room : l.active;
        this.taken = null;
        return true;
      case 'joined':
        if (l.nick !== this.nick) return false;
        this.active = l.room;
        return true;
      case 'active':
        this.active = l.room;
        return true;
      case 'renamed':
        if (l.from !== this.nick) return false;
        this.nick = l.to;
        return true;
      default:
        return false;
    }
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
