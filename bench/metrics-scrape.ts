/**
 * Bench scenario 7: how long GET /metrics takes with 50 busy rooms, and after 10 000 rooms were
 * created (the `_other` folding must keep it cheap).
 */
import net from 'node:net';

export async function scrapeTimes(httpPort: number, count: number): Promise<{ medianMs: number; maxMs: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
    const body = await res.text();
    times.push(performance.now() - t0);
    bytes = body.length;
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)] as number, maxMs: times[times.length - 1] as number, bytes };
}

/** One client joins `rooms` distinct rooms (and leaves them, so the per-user limit never bites). */
export async function createRooms(port: number, rooms: number): Promise<void> {
  const s = net.connect({ port, host: '127.0.0.1' });
  await new Promise((r) => s.once('connect', r));
  let seen = '';
  const done = new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => {
      seen = (seen + d.toString('latin1')).slice(-64);
      if (seen.includes(`left #r${rooms - 1}`)) resolve();
    });
  });
  let batch = '/nick roommaker\n';
  for (let i = 0; i < rooms; i++) {
    batch += `/join r${i}\nhello\n/leave r${i}\n`;
    if (batch.length > 60_000) {
      s.write(batch);
      batch = '';
    }
  }
  s.write(batch);
  await done;
  s.destroy();
}
