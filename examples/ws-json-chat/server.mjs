// A small WebSocket chat that speaks JSON frames: the reference app for `chatpulse loadgen`'s
// wsjson:// targets (spec.json beside this file describes it). Plain JS on the `ws` package.
//
//   node examples/ws-json-chat/server.mjs --port 3001 [--dialect alt] [--drop-every N]
//
// --dialect alt   other event names and nested payload keys (spec-alt.json): a spec, not code, adapts.
// --drop-every N  silently drop every Nth message delivery (a broken app, to watch loss being counted).
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '3001' }, dialect: { type: 'string', default: 'plain' }, 'drop-every': { type: 'string', default: '0' } },
});
const port = Number(args.port);
const dropEvery = Number(args['drop-every']);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${args.port}`);
if (!Number.isInteger(dropEvery) || dropEvery < 0) fail(`--drop-every must be a whole number, got ${args['drop-every']}`);
if (args.dialect !== 'plain' && args.dialect !== 'alt') fail(`--dialect must be plain or alt, got ${args.dialect}`);

// The wire format, at the edge only: the chat below speaks `{type, room, nick, to, text, ...}`.
const plain = { decode: (f) => f, encode: (m) => m };
const ALT_IN = { hello: 'login', enter: 'join', exit: 'leave', post: 'say', whisper: 'pm', who: 'users' };
const ALT_OUT = { welcome: 'ready', joined: 'entered', left: 'exited', message: 'post', pm: 'whisper', users: 'roster', error: 'fail' };
const alt = {
  decode: (f) => ({ type: ALT_IN[f.op], nick: f.user?.name, room: f.channel, to: f.target, text: f.body?.text }),
  encode: ({ type, room, nick, from, text, nicks, code }) => ({
    op: ALT_OUT[type], channel: room, user: { name: from ?? nick }, body: { text }, list: nicks, code,
  }),
};
const wire = args.dialect === 'alt' ? alt : plain;

const users = new Map(); // nick → socket
const rooms = new Map(); // room → Set of nicks
let delivered = 0;
let dropped = 0;

function send(ws, msg) {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(wire.encode(msg)));
}
function toRoom(room, msg, to = send) {
  for (const nick of rooms.get(room) ?? []) to(users.get(nick), msg);
}
/** A chat message to one recipient: the one place --drop-every bites (counted per recipient). */
function deliver(ws, msg) {
  ws.deliveries = (ws.deliveries ?? 0) + 1;
  if (dropEvery > 0 && ws.deliveries % dropEvery === 0) return void dropped++;
  delivered++;
  send(ws, msg);
}
function leave(nick, room) {
  const members = rooms.get(room);
  if (!members?.has(nick)) return;
  toRoom(room, { type: 'left', room, nick }); // the leaver too: it acknowledges the leave
  members.delete(nick);
  if (members.size === 0) rooms.delete(room);
}

const handlers = {
  login(ws, m) {
    if (ws.nick) return send(ws, { type: 'error', code: 'already_logged_in', text: 'already logged in' });
    if (typeof m.nick !== 'string' || !/^[\w.-]{1,32}$/.test(m.nick)) return send(ws, { type: 'error', code: 'bad_nick', text: 'bad nickname' });
    if (users.has(m.nick)) return send(ws, { type: 'error', code: 'nick_taken', nick: m.nick, text: `${m.nick} is taken` });
    ws.nick = m.nick;
    users.set(m.nick, ws);
    send(ws, { type: 'welcome', nick: m.nick });
  },
  join(ws, m) {
    if (typeof m.room !== 'string' || !/^[\w.-]{1,32}$/.test(m.room)) return send(ws, { type: 'error', code: 'bad_room', text: 'bad room' });
    if (!rooms.has(m.room)) rooms.set(m.room, new Set());
    rooms.get(m.room).add(ws.nick);
    toRoom(m.room, { type: 'joined', room: m.room, nick: ws.nick }); // the joiner too: its join acknowledged
  },
  leave(ws, m) {
    leave(ws.nick, m.room);
  },
  say(ws, m) {
    if (!rooms.get(m.room)?.has(ws.nick)) return send(ws, { type: 'error', code: 'not_in_room', text: `not in ${m.room}` });
    toRoom(m.room, { type: 'message', room: m.room, from: ws.nick, text: String(m.text) }, deliver); // the sender too: its echo
  },
  pm(ws, m) {
    const to = users.get(m.to);
    if (!to) return send(ws, { type: 'error', code: 'no_such_user', nick: m.to, text: `no such user ${m.to}` });
    deliver(to, { type: 'pm', from: ws.nick, text: String(m.text) });
  },
  users(ws, m) {
    send(ws, { type: 'users', room: m.room, nicks: [...(rooms.get(m.room) ?? [])] });
  },
};

const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/chat', maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const nick = new URL(req.url, 'http://x').searchParams.get('nick');
  if (nick) handlers.login(ws, { nick }); // nick in the URL, as a spec without send.login expects
  ws.on('message', (data, isBinary) => {
    let m;
    try {
      m = isBinary ? null : wire.decode(JSON.parse(data.toString()));
    } catch {}
    if (!m || typeof m !== 'object' || !handlers[m.type]) return send(ws, { type: 'error', code: 'bad_request', text: 'unknown request' });
    if (!ws.nick && m.type !== 'login') return send(ws, { type: 'error', code: 'not_logged_in', text: 'log in first' });
    handlers[m.type](ws, m);
  });
  ws.on('close', () => {
    if (!ws.nick) return;
    for (const room of [...rooms.keys()]) leave(ws.nick, room);
    users.delete(ws.nick);
  });
});
wss.on('listening', () => console.log(`listening on ws://127.0.0.1:${wss.address().port}/chat`));
wss.on('error', (err) => fail(err.message));
// On the way out, what it delivered and dropped: the loadgen's counts can be checked against them.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {
  console.log(`delivered ${delivered} dropped ${dropped}`);
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
});

function fail(msg) {
  console.error(`ws-json-chat: ${msg}`);
  process.exit(2);
}
