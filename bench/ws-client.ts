/**
 * The client side of RFC 6455 by hand, for the bench driver (scenario 9): the HTTP Upgrade on a raw
 * `net.Socket`, masked client text frames, and — for logging in only — a decoder of whole server
 * frames. The counting path is ws-frame-counter.ts; this file is what runs before and around it.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Masked text frames (client to server must mask, RFC 6455 §5.3), all in one buffer. */
export function maskedTextFrames(payloads: readonly Buffer[]): Buffer {
  let total = 0;
  for (const p of payloads) total += (p.length < 126 ? 2 : p.length < 65536 ? 4 : 10) + 4 + p.length;
  const out = Buffer.allocUnsafe(total);
  const masks = randomBytes(4 * payloads.length);
  let at = 0;
  let m = 0;
  for (const p of payloads) {
    const n = p.length;
    out[at++] = 0x81;
    if (n < 126) {
      out[at++] = 0x80 | n;
    } else if (n < 65536) {
      out[at++] = 0x80 | 126;
      out.writeUInt16BE(n, at);
      at += 2;
    } else {
      out[at++] = 0x80 | 127;
      out.writeUInt32BE(0, at);
      out.writeUInt32BE(n, at + 4);
      at += 8;
    }
    const maskAt = at;
    masks.copy(out, at, m, m + 4);
    m += 4;
    at += 4;
    for (let k = 0; k < n; k++) out[at + k] = (p[k] as number) ^ (out[maskAt + (k & 3)] as number);
    at += n;
  }
  return out;
}

/**
 * Whole unmasked server frames at the start of `buf`: their payloads as text, and the bytes after
 * the last whole frame. Allocates per frame: for the login phase only.
 */
export function readTextFrames(buf: Buffer): { texts: string[]; rest: Buffer } {
  const texts: string[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const len7 = (buf[at + 1] as number) & 0x7f;
    const head = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
    if (buf.length - at < head) break;
    const n = len7 === 126 ? buf.readUInt16BE(at + 2) : len7 === 127 ? buf.readUInt32BE(at + 6) : len7;
    if (buf.length - at < head + n) break;
    if (((buf[at] as number) & 0x0f) < 8) texts.push(buf.toString('utf8', at + head, at + head + n));
    at += head + n;
  }
  return { texts, rest: buf.subarray(at) };
}

/** A socket past its `101 Switching Protocols`, and the bytes that came after the response head. */
export interface UpgradedSocket {
  socket: net.Socket;
  rest: Buffer;
}

/** `GET path` with `Upgrade: websocket`; rejects on any answer but 101 with the right accept key. */
export function upgrade(port: number, path: string, timeoutMs = 10_000): Promise<UpgradedSocket> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const timer = setTimeout(() => fail(new Error(`no WebSocket upgrade from 127.0.0.1:${port}${path} in ${timeoutMs} ms`)), timeoutMs);
    let head = Buffer.alloc(0);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      clearTimeout(timer);
      const text = head.toString('latin1', 0, end);
      if (!/^HTTP\/1\.1 101/.test(text) || !text.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
        return fail(new Error(`upgrade of ${path} refused: ${text.split('\r\n')[0]}`));
      }
      resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`));
  });
}

/**
 * Reads whole frames (after `rest`) until `done` says yes to one of their texts; resolves with the
 * bytes after that frame, which the caller hands to its counter.
 */
export function waitForFrame(up: UpgradedSocket, done: (text: string) => boolean, onText?: (text: string) => void, timeoutMs = 15_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = up.rest;
    const timer = setTimeout(() => {
      up.socket.off('data', onData);
      reject(new Error('timed out logging in over WebSocket'));
    }, timeoutMs);
    const scan = (): boolean => {
      const { texts, rest } = readTextFrames(buf);
      buf = rest;
      for (let k = 0; k < texts.length; k++) {
        const t = texts[k] as string;
        onText?.(t);
        if (done(t)) {
          // Whole frames after the awaited one are not counted: they come during login, before any load.
          clearTimeout(timer);
          up.socket.off('data', onData);
          resolve(buf);
          return true;
        }
      }
      return false;
    };
    function onData(chunk: Buffer) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      scan();
    }
    if (!scan()) up.socket.on('data', onData);
  });
}
