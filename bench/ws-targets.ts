/**
 * The four servers of bench scenario 9 as the driver sees them: how a member logs in and joins its
 * room, what it sends per message, and how its receive path counts deliveries (and, for a sender,
 * its own echoes — the closed loop's ack). All four echo a message to its sender: chatpulse as
 * `[room] You: …`, the Socket.IO example by `io.to(room).emit` (sender included), and the bare
 * servers by design, so every target delivers the same number of frames per message.
 */
import type net from 'node:net';
import type { Member, MemberSpec } from './member.js';
import { connect as tcpConnect } from './tcp-member.js';
import { FrameCounter } from './ws-frame-counter.js';
import { maskedTextFrames, upgrade, waitForFrame } from './ws-client.js';

export type { Member, MemberSpec };

export type WsBenchTarget = 'chatpulse-tcp' | 'chatpulse-ws' | 'bare-ws' | 'socketio';

export const nick = (index: number) => `u${index}`;
export const roomName = (room: number) => `r${room}`;

/**
 * The text a member sends. The bare server delivers it as is, so it is padded by the prefix chatpulse
 * adds (`[r0] u12: `): both then deliver frames of the same length. Socket.IO wraps it in its JSON.
 */
export function messageText(target: WsBenchTarget, spec: MemberSpec, seq: number, filler: string): string {
  const pad = target === 'bare-ws' ? '.'.repeat(`[${roomName(spec.room)}] ${nick(spec.index)}: `.length) : '';
  return `s${spec.index} ${seq} ${pad}${filler}`;
}

export async function connectMember(target: WsBenchTarget, spec: MemberSpec): Promise<Member> {
  if (target === 'chatpulse-tcp') return tcpConnect(spec, nick(spec.index), roomName(spec.room));
  const room = roomName(spec.room);
  const me = nick(spec.index);
  if (target === 'chatpulse-ws') {
    const up = await upgrade(spec.port, '/chat/ws');
    up.socket.write(maskedTextFrames([Buffer.from(`/nick ${me}`), Buffer.from(`/join ${room}`)]));
    const rest = await waitForFrame(up, (t) => t.includes(`* ${me} joined #${room}`));
    return wsMember(up.socket, rest, Buffer.from(`[${room}] You: `), (t) => t);
  }
  if (target === 'bare-ws') {
    const up = await upgrade(spec.port, `/${room}`);
    return wsMember(up.socket, up.rest, Buffer.from(`s${spec.index} `), (t) => t);
  }
  // Engine.IO 4 over WebSocket from the first request; Socket.IO v4 packets inside its `4` messages.
  const up = await upgrade(spec.port, '/socket.io/?EIO=4&transport=websocket');
  up.socket.write(maskedTextFrames([Buffer.from(`40${JSON.stringify({ nick: me })}`)]));
  up.rest = await waitForFrame(up, (t) => t.startsWith('40{') || t.startsWith('44'));
  up.socket.write(maskedTextFrames([Buffer.from(`42${JSON.stringify(['join', { room }])}`)]));
  const rest = await waitForFrame(up, (t) => t.startsWith('42["joined"') && t.includes(`"nick":"${me}"`));
  const prefix = Buffer.from(`42["message",{"room":"${room}","from":"${me}",`);
  return wsMember(up.socket, rest, prefix, (t) => `42${JSON.stringify(['say', { room, text: t }])}`, true);
}

/** A WebSocket member: frames counted by header; Engine.IO pings (`2`) answered with `3`. */
function wsMember(socket: net.Socket, rest: Buffer, ackPrefix: Buffer, wrap: (text: string) => string, engineIo = false): Member {
  const pong = maskedTextFrames([Buffer.from('3')]);
  const counter = new FrameCounter(ackPrefix, engineIo ? (b) => { if (b === 0x32) socket.write(pong); } : undefined);
  const member: Member = {
    send: (texts) => {
      socket.write(maskedTextFrames(texts.map((t) => Buffer.from(wrap(t)))));
    },
    received: () => counter.frames,
    acks: () => counter.acks,
    onChunk: null,
    destroy: () => socket.destroy(),
  };
  socket.on('data', (chunk: Buffer) => {
    counter.push(chunk);
    member.onChunk?.();
  });
  socket.on('error', () => {});
  if (rest.length > 0) counter.push(rest);
  return member;
}
