/**
 * The physical-limit baseline for fan-out (bench scenario 1): a minimal TCP broadcast with no
 * protocol, no metrics and no history. Each complete line read is written to every connection
 * (sender included, as chatpulse echoes), writes coalesced per event-loop turn exactly as the real
 * server does. Run as its own process; prints `bare listening on 127.0.0.1:PORT`.
 */
import net from 'node:net';

interface Peer {
  socket: net.Socket;
  out: Buffer[];
  outBytes: number;
  partial: Buffer | null;
}

const peers = new Set<Peer>();
const dirty: Peer[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  for (const p of dirty) {
    if (p.outBytes > 0) p.socket.write(p.out.length === 1 ? (p.out[0] as Buffer) : Buffer.concat(p.out, p.outBytes));
    p.out = [];
    p.outBytes = 0;
  }
  dirty.length = 0;
}

function broadcast(line: Buffer): void {
  for (const p of peers) {
    if (p.outBytes === 0) dirty.push(p);
    p.out.push(line);
    p.outBytes += line.length;
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

const server = net.createServer({ noDelay: true }, (socket) => {
  const peer: Peer = { socket, out: [], outBytes: 0, partial: null };
  peers.add(peer);
  socket.on('data', (chunk: Buffer) => {
    const data = peer.partial ? Buffer.concat([peer.partial, chunk]) : chunk;
    let start = 0;
    let nl: number;
    while ((nl = data.indexOf(10, start)) !== -1) {
      broadcast(data.subarray(start, nl + 1));
      start = nl + 1;
    }
    peer.partial = start < data.length ? Buffer.from(data.subarray(start)) : null;
  });
  socket.on('error', () => {});
  socket.on('close', () => peers.delete(peer));
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`bare listening on 127.0.0.1:${(server.address() as net.AddressInfo).port}`);
});
process.on('SIGTERM', () => process.exit(0));
