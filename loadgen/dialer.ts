/**
 * How a virtual client reaches the server: TCP, TLS, or a WebSocket (`ws://`, `wss://`). This is the
 * transport seam, below the protocol adapters — a chatpulse or IRC session runs unchanged over TCP or
 * TLS, because a `TLSSocket` is a `net.Socket`, and chatpulse lines run over a WebSocket through
 * `WsLink`, which shows the client the same few events and methods (`Link`). After the TCP connect, a
 * handshake (TLS, or the WebSocket upgrade, itself over TLS for wss) is timed on its own. Every
 * virtual client does a full handshake (no session is reused between them), as that many distinct
 * users would.
 */
import net from 'node:net';
import tls from 'node:tls';
import { trustContext } from './trust-context.js';
import { WsLink, type LineHandler } from './ws-link.js';

export interface DialOptions {
  host: string;
  port: number;
  /** `tcp` (TLS with `tls`), or a WebSocket to `path`: `ws`, `wss`. @default 'tcp' */
  transport?: 'tcp' | 'ws' | 'wss';
  /** ws/wss: the request path. @default '/' */
  path?: string;
  /** tcp: speak TLS. @default false */
  tls?: boolean;
  /** Accept any certificate (self-signed test servers). Encrypts, but proves nothing about the peer. @default false */
  tlsInsecure?: boolean;
  /** Extra trusted CA/certificate (PEM text), e.g. the server's own self-signed certificate. */
  tlsCa?: string;
}

/**
 * What a client uses of its connection; a `net.Socket` is one. Events: `connect` (TCP up), the ready
 * event (`Dialed.readyEvent`), `data` (chunks of a byte stream; a framed link hands its lines to
 * `onLines` instead), `drain`, `error`, `close`.
 */
// Listener arguments are `any[]`, as in Node's own EventEmitter typing that both sides implement.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

export interface Link {
  on(event: string, fn: Listener): unknown;
  once(event: string, fn: Listener): unknown;
  /** Text goes as UTF-8. False: the buffer is full; wait for `drain`. */
  write(data: string | Uint8Array): boolean;
  end(goodbye: string | Uint8Array): unknown;
  destroy(): unknown;
  readonly destroyed: boolean;
  setTimeout(ms: number, fn?: () => void): unknown;
  /** A framed link (`Dialed.framed`): where its lines go, one call per line (ws-link.ts). */
  onLines?(handler: LineHandler): void;
  /** WebSocket only, once closed: the close code's disconnect kind ('' when it names no fault). */
  readonly closeKind?: string;
}

export interface Dialed {
  socket: Link;
  /** The event after which lines may be written: `connect` (TCP), `secureConnect` (TLS), `open` (WebSocket). */
  readyEvent: 'connect' | 'secureConnect' | 'open';
  /** What comes between TCP connect and ready: nothing, a TLS handshake, or a WebSocket upgrade. */
  handshake: '' | 'tls' | 'ws';
  /** Input arrives as lines through `Link.onLines` (one per WebSocket frame) rather than `data` chunks. */
  framed: boolean;
}

export function dial(o: DialOptions): Dialed {
  const transport = o.transport ?? 'tcp';
  if (transport !== 'tcp') {
    const host = net.isIPv6(o.host) ? `[${o.host}]` : o.host;
    const link = new WsLink({ url: `${transport}://${host}:${o.port}${o.path ?? '/'}`, ...(o.tlsInsecure && { tlsInsecure: true }), ...(o.tlsCa && { tlsCa: o.tlsCa }) });
    return { socket: link, readyEvent: 'open', handshake: 'ws', framed: true };
  }
  if (!o.tls) return { socket: net.connect({ host: o.host, port: o.port, noDelay: true }), readyEvent: 'connect', handshake: '', framed: false };
  const socket = tls.connect({
    host: o.host,
    port: o.port,
    // SNI takes names only; for an address the certificate is checked against the IP itself.
    ...(net.isIP(o.host) === 0 && { servername: o.host }),
    rejectUnauthorized: !o.tlsInsecure,
    ...(o.tlsCa ? { secureContext: trustContext(o.tlsCa) } : {}),
  });
  socket.setNoDelay(true);
  return { socket, readyEvent: 'secureConnect', handshake: 'tls', framed: false };
}
