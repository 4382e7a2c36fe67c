/**
 * The browser chat page (`GET /chat`): speaks the §3 lines over `WS /chat/ws`. The server owns all
 * state; after a reconnect the page only says `/nick` again and the server's grace restore puts it
 * back in its rooms. Rooms and members are polled with `/rooms` and `/users` on the same socket.
 */
import { parseChatLine, type ChatLine, type RoomCount } from './chat-lines.js';
import { ChatSocket } from './chat-socket.js';
import { ChatView, type Entry } from './chat-view.js';

const POLL_MS = 2000;
const LOG_CAP = 500;

const view = new ChatView();
let wanted: string | null = null; // the nickname this tab asks for
let me: string | null = null;
let everLoggedIn = false;
let lastSent: string | null = null; // the last line typed and sent: a refused too-long one is put back
let myRooms: string[] = [];
let active: string | null = null;
let allRooms: RoomCount[] = [];
let members: string[] = [];
const logs = new Map<string, Entry[]>();
const unread = new Map<string, number>();
// Answers to our own polls are not shown; answers to a typed /rooms or /users are.
let pollRooms = 0;
let pollUsers = 0;

const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/chat/ws`;
const socket = new ChatSocket(url, {
  onOpen: () => view.status('connected'),
  onLine: (line) => handle(parseChatLine(line)),
  onDown: (ms) => {
    me = null;
    pollRooms = pollUsers = 0;
    view.status(`disconnected — retrying in ${Math.ceil(ms / 1000)}s`, 'warn');
  },
});

function logFor(room: string): Entry[] {
  let log = logs.get(room);
  if (log === undefined) logs.set(room, (log = []));
  return log;
}

function add(room: string | null, entry: Entry): void {
  const target = room ?? active ?? '';
  const log = logFor(target);
  log.push(entry);
  if (log.length > LOG_CAP) log.splice(0, log.length - LOG_CAP);
  if (target === active) view.append(entry);
  else if (entry.kind === 'message') unread.set(target, (unread.get(target) ?? 0) + 1);
}

function setActive(room: string | null): void {
  active = room;
  if (room !== null) unread.delete(room);
  view.render(room === null ? [] : logFor(room));
  members = [];
  drawLists();
  poll();
}

function drawLists(): void {
  const known = new Set(allRooms.map((r) => r.name.toLowerCase()));
  const shown = [...allRooms, ...myRooms.filter((r) => !known.has(r.toLowerCase())).map((name) => ({ name, members: 1 }))];
  view.rooms(shown, myRooms, active, unread, (room) => send(`/join ${room}`));
  view.members(active, members, (nick) => {
    view.lineInput.value = `/pm ${nick} `;
    view.lineInput.focus();
  });
}

function send(line: string): void {
  if (!socket.send(line)) add(null, { kind: 'error', text: 'not connected; the line was not sent' });
}

function poll(): void {
  if (me === null || !socket.open) return;
  pollRooms++;
  socket.send('/rooms');
  if (active !== null) {
    pollUsers++;
    socket.send(`/users ${active}`);
  }
}

function handle(l: ChatLine): void {
  switch (l.kind) {
    case 'greeting':
      if (wanted !== null) socket.send(`/nick ${wanted}`);
      return;
    case 'welcome':
      me = wanted = l.nick;
      everLoggedIn = true;
      sessionStorage.setItem('chatpulse.nick', l.nick);
      view.showChat(l.nick);
      view.status(l.restored ? `connected as ${l.nick}; rooms restored` : `connected as ${l.nick}`);
      myRooms = l.rooms;
      setActive(l.active);
      return;
    case 'joined':
      if (l.nick === me) {
        if (!myRooms.includes(l.room)) myRooms.push(l.room);
        setActive(l.room);
      } else if (l.room === active && !members.includes(l.nick)) {
        members.push(l.nick);
        drawLists();
      }
      return add(l.room, { kind: 'system', text: `${l.nick} joined #${l.room}` });
    case 'left':
      add(l.room, { kind: 'system', text: `${l.nick} left #${l.room}` });
      if (l.nick === me) myRooms = myRooms.filter((r) => r !== l.room);
      else members = members.filter((m) => m !== l.nick);
      return drawLists();
    case 'active':
      return setActive(l.room);
    case 'renamed':
      if (l.from === me) me = wanted = l.to;
      return add(null, { kind: 'system', text: `${l.from} is now known as ${l.to}` });
    case 'rooms':
      allRooms = l.rooms;
      drawLists();
      if (pollRooms > 0) return void pollRooms--;
      return add(null, { kind: 'system', text: `rooms (${l.total}): ${l.rooms.map((r) => `${r.name} (${r.members})`).join(', ')}` });
    case 'users':
      if (l.room === active) members = l.nicks;
      drawLists();
      if (pollUsers > 0) return void pollUsers--;
      return add(null, { kind: 'system', text: `users in #${l.room}: ${l.nicks.join(', ')}` });
    case 'history-header':
      return add(l.room, { kind: 'system', text: `last lines of #${l.room}` });
    case 'history':
      return add(l.room, { kind: 'history', label: l.time, nick: l.nick, text: l.text });
    case 'no-history':
      return add(l.room, { kind: 'system', text: `no history in #${l.room} yet` });
    case 'message':
      return add(l.room, { kind: l.self ? 'self' : 'message', nick: l.self ? (me ?? 'You') : l.nick, text: l.text });
    case 'pm':
      return add(null, { kind: 'pm', label: l.direction === 'from' ? 'PM from' : 'PM to', nick: l.nick, text: l.text });
    case 'error':
      if (l.takenNick !== null && me === null) return taken(l.takenNick, l.text);
      // The server closes a connection that picks no nickname in time (--login-timeout) and this page
      // reconnects by itself: someone still reading the login form has done nothing wrong.
      if (me === null && l.text.includes('(login timeout)')) return view.status('connection idle; reconnecting', 'warn');
      if (me === null) return view.loginError(l.text); // e.g. an invalid nickname: said where it was typed
      // The box takes any length (the server's --max-line is in bytes, a box's maxlength in characters,
      // and one cut the paste silently); a line the server refuses as too long comes back to be shortened.
      if (/^line too long/.test(l.text) && lastSent !== null && view.lineInput.value === '') {
        view.lineInput.value = lastSent;
        lastSent = null;
        return add(null, { kind: 'error', text: `${l.text} — it was not sent; it is back in the box to shorten` });
      }
      return add(null, { kind: 'error', text: l.text });
    case 'system':
      return add(null, { kind: 'system', text: l.text });
  }
}

/** Taken at first login: say so plainly and let the user pick another. After a reconnect: our old
 * session may not have been noticed gone yet, so ask again shortly. */
function taken(nick: string, text: string): void {
  if (everLoggedIn) {
    view.status(`${text} — trying again`, 'warn');
    setTimeout(() => wanted !== null && me === null && socket.send(`/nick ${wanted}`), 2000);
    return;
  }
  wanted = null;
  view.showLogin();
  view.loginError(`Nickname '${nick}' is taken. Choose another.`);
  view.status(text, 'error');
}

view.loginForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const nick = view.nickInput.value.trim();
  if (nick === '') return;
  wanted = nick;
  view.loginError('');
  if (!socket.send(`/nick ${nick}`)) view.status('not connected yet; will log in when connected', 'warn');
});

view.sendForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const line = view.lineInput.value;
  if (line.trim() === '') return;
  view.lineInput.value = '';
  lastSent = line;
  send(line);
});

view.joinForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const room = view.joinInput.value.trim().replace(/^#/, '');
  if (room === '') return;
  view.joinInput.value = '';
  send(`/join ${room}`);
});

const initial = new URLSearchParams(location.search).get('nick') ?? sessionStorage.getItem('chatpulse.nick');
if (initial) {
  view.nickInput.value = initial;
  wanted = initial;
}
view.showLogin();
setInterval(poll, POLL_MS);
