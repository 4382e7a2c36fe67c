/**
 * DOM side of the chat page. Every piece of user data (nicknames, room names, text) goes in through
 * `textContent`: it is always text, never HTML, whatever it contains.
 */
import { nickHue, type RoomCount } from './chat-lines.js';

export type EntryKind = 'message' | 'self' | 'pm' | 'system' | 'error' | 'history';

export interface Entry {
  kind: EntryKind;
  /** Prefix shown before the nick, e.g. `14:03:05` or `PM from`. */
  label?: string;
  nick?: string;
  text: string;
}

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`chat page: missing #${id}`);
  return el;
}

function span(cls: string, text: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

function nickSpan(nick: string): HTMLSpanElement {
  const s = span('nick', nick);
  s.style.color = `hsl(${nickHue(nick)} 65% 38%)`;
  return s;
}

export class ChatView {
  readonly loginForm = $('login') as HTMLFormElement;
  readonly nickInput = $('nick') as HTMLInputElement;
  readonly sendForm = $('send-form') as HTMLFormElement;
  readonly lineInput = $('line') as HTMLInputElement;
  readonly joinForm = $('join-form') as HTMLFormElement;
  readonly joinInput = $('join-room') as HTMLInputElement;
  readonly #status = $('status');
  readonly #loginError = $('login-error');
  readonly #chat = $('chat');
  readonly #roomList = $('room-list');
  readonly #memberList = $('member-list');
  readonly #messages = $('messages');
  readonly #title = $('room-title');
  readonly #me = $('me');

  status(text: string, kind: 'ok' | 'warn' | 'error' = 'ok'): void {
    this.#status.textContent = text;
    this.#status.className = kind;
  }

  loginError(text: string): void {
    this.#loginError.textContent = text;
  }

  showChat(nick: string): void {
    this.loginForm.hidden = true;
    this.#chat.hidden = false;
    this.#me.textContent = nick;
    this.#loginError.textContent = '';
  }

  showLogin(): void {
    this.loginForm.hidden = false;
    this.#chat.hidden = true;
    this.nickInput.focus();
  }

  rooms(all: RoomCount[], mine: readonly string[], active: string | null, unread: ReadonlyMap<string, number>, onPick: (room: string) => void): void {
    const items = all.map((r) => {
      const li = document.createElement('li');
      const mineNow = mine.some((m) => m.toLowerCase() === r.name.toLowerCase());
      li.className = [mineNow ? 'mine' : '', r.name === active ? 'active' : ''].join(' ').trim();
      const b = document.createElement('button');
      b.type = 'button';
      b.append(span('room', `#${r.name}`), span('count', ` (${r.members})`));
      const n = unread.get(r.name) ?? 0;
      if (n > 0 && r.name !== active) b.append(span('unread', ` ${n} new`));
      b.addEventListener('click', () => onPick(r.name));
      li.append(b);
      return li;
    });
    this.#roomList.replaceChildren(...items);
  }

  members(room: string | null, nicks: string[], onPick: (nick: string) => void): void {
    this.#title.textContent = room === null ? '' : `#${room}`;
    const items = nicks.map((n) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.title = `private message to ${n}`;
      b.append(nickSpan(n));
      b.addEventListener('click', () => onPick(n));
      li.append(b);
      return li;
    });
    this.#memberList.replaceChildren(...items);
  }

  /** Replaces the message pane with `entries` (the active room's log). */
  render(entries: readonly Entry[]): void {
    this.#messages.replaceChildren(...entries.map((e) => this.#entry(e)));
    this.#messages.scrollTop = this.#messages.scrollHeight;
  }

  append(entry: Entry): void {
    const stick = this.#messages.scrollHeight - this.#messages.scrollTop - this.#messages.clientHeight < 40;
    this.#messages.append(this.#entry(entry));
    while (this.#messages.childElementCount > 500) this.#messages.firstElementChild?.remove();
    if (stick) this.#messages.scrollTop = this.#messages.scrollHeight;
  }

  #entry(e: Entry): HTMLLIElement {
    const li = document.createElement('li');
    li.className = e.kind;
    if (e.label !== undefined) li.append(span('label', `${e.label} `));
    if (e.nick !== undefined) li.append(nickSpan(e.nick), span('sep', ': '));
    li.append(span('text', e.text));
    return li;
  }
}
