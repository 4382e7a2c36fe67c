/**
 * Bench scenario 5: N idle connections logged in across R rooms. Measures the server's RSS growth
 * per connection (from /proc, after a settle) and the time until every client has joined its room.
 */
import net from 'node:net';
import type { ServerProcess } from './processes.js';

export interface ConnectionsResult {
  connections: number;
  rooms: number;
  secondsToJoinAll: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerConnection: number;
}

/** Opens at most `parallel` connections at a time; each logs in and joins its room. */
export async function measureConnections(server: ServerProcess, connections: number, rooms: number, parallel = 500): Promise<ConnectionsResult> {
  await new Promise((r) => setTimeout(r, 500));
  const rssBefore = server.rssBytes();
  const sockets: net.Socket[] = [];
  const started = performance.now();
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const s = net.connect({ port: server.port, host: '127.0.0.1' });
      sockets.push(s);
      const want = `c${i} joined #room${i % rooms}`;
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`client ${i} did not join in 60 s`)), 60_000);
      s.on('data', (d: Buffer) => {
        seen += d.toString('latin1');
        if (seen.includes(want)) {
          clearTimeout(timer);
          seen = '';
          s.removeAllListeners('data');
          s.on('data', () => {});
          resolve();
        } else {
          seen = seen.slice(-want.length);
        }
      });
      s.on('error', reject);
      s.write(`/nick c${i}\n/join room${i % rooms}\n`);
    });
  const lanes = Array.from({ length: parallel }, async () => {
    while (next < connections) await one(next++);
  });
  await Promise.all(lanes);
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 1500));
  const rssAfter = server.rssBytes();
  for (const s of sockets) s.destroy();
  return {
    connections, rooms, secondsToJoinAll: seconds, rssBeforeBytes: rssBefore, rssAfterBytes: rssAfter,
    bytesPerConnection: (rssAfter - rssBefore) / connections,
  };
}
