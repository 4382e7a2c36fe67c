// A small Socket.IO chat: the reference app for `chatpulse loadgen`'s socketio:// targets (spec.json
// beside this file describes it). Plain JS on the `socket.io` package, written as such apps usually are:
// the nickname in the handshake auth, rooms with socket.join, broadcast with io.to(room).emit.
//
//   node examples/socketio-chat/server.mjs --port 3000 [--dialect alt] [--drop-every N] [--tls-cert F --tls-key F]
//
// --dialect alt   other event names and nested payload keys, nickname sent in a "hello" event instead of
//                 the auth (spec-alt.json): a spec, not code, adapts chatpulse to it.
// --drop-every N  silently drop every Nth message delivery (a broken app, to watch loss being counted).
// --tls-cert/--tls-key  serve HTTPS (wss) with this PEM certificate and key.
import fs from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' }, dialect: { type: 'string', default: 'plain' }, 'drop-every': { type: 'string', default: '0' },
    'tls-cert': { type: 'string', default: '' }, 'tls-key': { type: 'string', default: '' },
  },
});
const port = Number(args.port);
const dropEvery = Number(args['drop-every']);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${args.port}`);
if (!Number.isInteger(dropEvery) || dropEvery < 0) fail(`--drop-every must be a whole number, got ${args['drop-every']}`);
if (args.dialect !== 'plain' && args.dialect !== 'alt') fail(`--dialect must be plain or alt, got ${args.dialect}`);

// The wire format, at the edge only: the chat below speaks events `say`, `message`… with flat payloads.
const plain = { inName: (e) => e, decode: (d) => d, outName: (e) => e, encode: (d) => d };
const ALT_IN = { hello: 'login', enter: 'join', exit: 'leave', post: 'say', whisper: 'pm', who: 'users' };
const ALT_OUT = { welcome: 'ready', joined: 'entered', left: 'exited', message: 'post', pm: 'whisper', users: 'roster', error: 'fail' };
const alt = {
  inName: (e) => ALT_IN[e],
  decode: (d) => ({ nick: d?.user?.name, room: d?.channel, to: d?.target, text: d?.body?.text }),
  outName: (e) => ALT_OUT[e],
  encode: ({ room, nick, from, text, nicks, code }) => ({ channel: room, user: { name: from ?? nick }, body: { text }, list: nicks, code }),
};
const wire = args.dialect === 'alt' ? alt : plain;
const NAME = /^[\w.-]{1,32}$/;

if (!args['tls-cert'] !== !args['tls-key']) fail('--tls-cert and --tls-key go together');
const tls = args['tls-cert'] ? { cert: fs.readFileSync(args['tls-cert']), key: fs.readFileSync(args['tls-key']) } : undefined;
const httpServer = tls ? createHttpsServer(tls) : createServer();
const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
const byNick = new Map(); // nick → socket
let delivered = 0;
let dropped = 0;

const emit = (target, event, data) => target.emit(wire.outName(event), wire.encode(data));
const nicksIn = (room) => [...(io.sockets.adapter.rooms.get(room) ?? [])].map((id) => io.sockets.sockets.get(id)?.data.nick).filter(Boolean);

/** A chat message to a room: one broadcast, or one emit per member when --drop-every must bite per recipient. */
function deliverToRoom(room, data) {
  if (dropEvery === 0) {
    delivered += io.sockets.adapter.rooms.get(room)?.size ?? 0;
    return emit(io.to(room), 'message', data);
  }
  for (const id of io.sockets.adapter.rooms.get(room) ?? []) deliver(io.sockets.sockets.get(id), 'message', data);
}
function deliver(socket, event, data) {
  socket.data.deliveries = (socket.data.deliveries ?? 0) + 1;
  if (dropEvery > 0 && socket.data.deliveries % dropEvery === 0) return void dropped++;
  delivered++;
  emit(socket, event, data);
}

function claim(socket, nick) {
  if (typeof nick !== 'string' || !NAME.test(nick)) return 'bad_nick';
  if (byNick.has(nick)) return 'nick_taken';
  socket.data.nick = nick;
  byNick.set(nick, socket);
  return '';
}

// Plain dialect: the nickname comes in the handshake, `io({ auth: { nick } })` on the client side.
if (args.dialect === 'plain') {
  io.use((socket, next) => {
    const refused = claim(socket, socket.handshake.auth?.nick);
    next(refused ? new Error(refused) : undefined);
  });
}

io.on('connection', (socket) => {
  if (socket.data.nick) emit(socket, 'welcome', { nick: socket.data.nick });
  const handlers = {
    login({ nick }) {
      if (socket.data.nick) return emit(socket, 'error', { code: 'already_logged_in', text: 'already logged in' });
      const refused = claim(socket, nick);
      if (refused) return emit(socket, 'error', { code: refused, nick, text: `cannot use ${nick}` });
      emit(socket, 'welcome', { nick });
    },
    join({ room }) {
      if (typeof room !== 'string' || !NAME.test(room)) return emit(socket, 'error', { code: 'bad_room', text: 'bad room' });
      socket.join(room);
      emit(io.to(room), 'joined', { room, nick: socket.data.nick }); // the joiner too: its join acknowledged
    },
    leave({ room }) {
      if (!socket.rooms.has(room)) return;
      emit(io.to(room), 'left', { room, nick: socket.data.nick }); // the leaver too: its leave acknowledged
      socket.leave(room);
    },
    say({ room, text }) {
      if (!socket.rooms.has(room)) return emit(socket, 'error', { code: 'not_in_room', text: `not in ${room}` });
      deliverToRoom(room, { room, from: socket.data.nick, text: String(text) }); // the sender too: its echo
    },
    pm({ to, text }) {
      const peer = byNick.get(to);
      if (!peer) return emit(socket, 'error', { code: 'no_such_user', nick: to, text: `no such user ${to}` });
      deliver(peer, 'pm', { from: socket.data.nick, text: String(text) });
    },
    users({ room }) {
      emit(socket, 'users', { room, nicks: nicksIn(room) });
    },
  };
  socket.onAny((event, data) => {
    const name = wire.inName(event);
    if (!Object.hasOwn(handlers, name ?? '') || typeof data !== 'object' || data === null) return emit(socket, 'error', { code: 'bad_request', text: 'unknown request' });
    if (!socket.data.nick && name !== 'login') return emit(socket, 'error', { code: 'not_logged_in', text: 'log in first' });
    handlers[name](wire.decode(data));
  });
  socket.on('disconnecting', () => {
    for (const room of socket.rooms) if (room !== socket.id) emit(socket.to(room), 'left', { room, nick: socket.data.nick });
  });
  socket.on('disconnect', () => {
    if (byNick.get(socket.data.nick) === socket) byNick.delete(socket.data.nick);
  });
});

httpServer.listen(port, '127.0.0.1', () => console.log(`listening on socketio://127.0.0.1:${httpServer.address().port}${tls ? ' (TLS: loadgen --tls)' : ''}`));
httpServer.on('error', (err) => fail(err.message));
// On the way out, what it delivered and dropped: the loadgen's counts can be checked against them.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {
  console.log(`delivered ${delivered} dropped ${dropped}`);
  io.close(() => process.exit(0));
});

function fail(msg) {
  console.error(`socketio-chat: ${msg}`);
  process.exit(2);
}
