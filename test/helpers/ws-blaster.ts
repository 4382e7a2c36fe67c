/**
 * A child process that overloads `WS /chat/ws` (run it with `node`, never import it): CLIENTS
 * WebSocket clients log in, spread over ROOMS rooms, then each sends RATE lines/s for SECONDS and
 * closes. They never read what the server sends (their sockets stay paused), so the server's output
 * piles up as it would behind slow browsers, and this process stays cheap beside the server under test.
 * Prints `blasting` when every client is in its room and `closed N` when all are gone.
 *
 *   node ws-blaster.js ws://127.0.0.1:PORT/chat/ws CLIENTS ROOMS RATE SECONDS
 */
import WebSocket from 'ws';

const [url = '', clients = '100', rooms = '4', rate = '40', seconds = '3'] = process.argv.slice(2);
const n = Number(clients);
const lineEvery = 1000 / Number(rate);
const LINE = Buffer.from('x'.repeat(60));

function login(i: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error(`client ${i}: no welcome`)), 20_000);
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(`/nick blast${i}`);
      ws.send(`/join r${i % Number(rooms)}`);
    });
    const onMessage = (data: WebSocket.RawData) => {
      if (!String(data).startsWith(`* blast${i} joined #r`)) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      // From now on nothing is read: the server's output for this client can only pile up.
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      resolve(ws);
    };
    ws.on('message', onMessage);
  });
}

const sockets = await Promise.all(Array.from({ length: n }, (_, i) => login(i)));
console.log('blasting');
const end = Date.now() + Number(seconds) * 1000;
const timer = setInterval(() => {
  if (Date.now() >= end) return;
  for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(LINE, { binary: false });
}, lineEvery);
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
clearInterval(timer);
// Gone at once, as a crashed or killed browser tab would be: whatever the server still holds for
// these clients, and whatever they sent that it has not read yet, is now for nobody.
for (const ws of sockets) ws.terminate();
console.log(`closed ${sockets.length}`);
process.exit(0);
