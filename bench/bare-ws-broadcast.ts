/**
 * The plain-`ws` baseline of bench scenario 9: a minimal WebSocket room broadcast with no protocol,
 * no metrics and no history. A client joins the room named by its upgrade path (`/r0`); each text
 * frame it sends goes to every member of that room, the sender included (chatpulse and the Socket.IO
 * example echo too, so all targets deliver the same frames per message). Writes are coalesced per
 * event-loop turn the way chatpulse does it: a room's frames are built ONCE per turn into one buffer
 * and that buffer is written to each member's raw socket — not `ws.send()` per frame per member.
 * Run as its own process; prints `bare-ws listening on 127.0.0.1:PORT`.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

interface Room {
  members: Duplex[];
  pending: Buffer[];
  pendingBytes: number;
}

const rooms = new Map<string, Room>();
const dirty: Room[] = [];
let scheduled = false;

/** One unmasked text frame per payload, back to back in one buffer. */
function frames(payloads: Buffer[], bytes: number): Buffer {
  let total = bytes;
  for (const p of payloads) total += p.length < 126 ? 2 : p.length < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of payloads) {
    const n = p.length;
    out[at++] = 0x81;
    if (n < 126) {
      out[at++] = n;
    } else if (n < 65536) {
      out[at++] = 126;
      out.writeUInt16BE(n, at);
      at += 2;
    } else {
      out[at++] = 127;
      out.writeUInt32BE(0, at);
      out.writeUInt32BE(n, at + 4);
      at += 8;
    }
    out.set(p, at);
    at += n;
  }
  return out;
}

function flush(): void {
  scheduled = false;
  for (const room of dirty) {
    const buf = frames(room.pending, room.pendingBytes);
    room.pending = [];
    room.pendingBytes = 0;
    for (const socket of room.members) if (socket.writable) socket.write(buf);
  }
  dirty.length = 0;
}

function onMessage(room: Room, data: RawData, isBinary: boolean): void {
  if (isBinary) return;
  const payload = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (room.pendingBytes === 0 && room.pending.length === 0) dirty.push(room);
  room.pending.push(payload);
  room.pendingBytes += payload.length;
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

const server = http.createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false, skipUTF8Validation: true });
wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
  const name = (req.url ?? '/').slice(1) || 'lobby';
  let room = rooms.get(name);
  if (room === undefined) rooms.set(name, (room = { members: [], pending: [], pendingBytes: 0 }));
  const r = room;
  const socket = req.socket;
  (socket as net.Socket).setNoDelay(true);
  r.members.push(socket);
  ws.on('message', (data, isBinary) => onMessage(r, data, isBinary));
  ws.on('error', () => {});
  ws.on('close', () => {
    const i = r.members.indexOf(socket);
    if (i !== -1) r.members.splice(i, 1);
  });
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`bare-ws listening on 127.0.0.1:${(server.address() as net.AddressInfo).port}`);
});
process.on('SIGTERM', () => process.exit(0));
