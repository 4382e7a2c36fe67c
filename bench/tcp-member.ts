/**
 * A chatpulse member over plain TCP for bench scenario 9, the reference the WebSocket figures are
 * held against: deliveries are newlines (memchr via indexOf, as bench/fanout-driver.ts counts them),
 * own echoes are the `[room] You: ` lines, found across chunk boundaries by keeping a short tail.
 */
import net from 'node:net';
import type { Member, MemberSpec } from './member.js';

function waitForText(s: net.Socket, text: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`timed out waiting for '${text}'`)), timeoutMs);
    const on = (d: Buffer) => {
      seen += d.toString('latin1');
      const hit = seen.includes(text);
      seen = seen.slice(-text.length);
      if (hit) {
        clearTimeout(t);
        s.off('data', on);
        resolve();
      }
    };
    s.on('data', on);
  });
}

export async function connect(spec: MemberSpec, nick: string, room: string): Promise<Member> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port: spec.port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
  const joined = waitForText(socket, `* ${nick} joined #${room}`);
  socket.write(`/nick ${nick}\n/join ${room}\n`);
  await joined;
  const pattern = Buffer.from(`[${room}] You: `);
  let received = 0;
  let acks = 0;
  let tail = Buffer.alloc(0);
  const member: Member = {
    send: (texts) => {
      socket.write(`${texts.join('\n')}\n`);
    },
    received: () => received,
    acks: () => acks,
    onChunk: null,
    destroy: () => socket.destroy(),
  };
  socket.on('data', (chunk: Buffer) => {
    let i = -1;
    while ((i = chunk.indexOf(10, i + 1)) !== -1) received++;
    // Echo matching only for senders (someone listens): the others just count newlines.
    if (member.onChunk === null) return;
    const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    i = -1;
    while ((i = buf.indexOf(pattern, i + 1)) !== -1) acks++;
    tail = Buffer.from(buf.subarray(Math.max(0, buf.length - pattern.length + 1)));
    member.onChunk();
  });
  socket.on('error', () => {});
  return member;
}
