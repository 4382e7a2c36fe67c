/**
 * How a virtual client reaches the server: plain TCP or TLS. This is the transport seam, below the
 * protocol adapters — a chatpulse or IRC session runs unchanged over either, because a `TLSSocket`
 * is a `net.Socket`. For TLS the TCP connect and the handshake are told apart, so connect time and
 * handshake time are measured separately. Every virtual client does a full handshake (no session
 * is reused between them), as that many distinct users would.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface DialOptions {
  host: string;
  port: number;
  /** Speak TLS. @default false */
  tls?: boolean;
  /** Accept any certificate (self-signed test servers). Encrypts, but proves nothing about the peer. @default false */
  tlsInsecure?: boolean;
  /** Extra trusted CA/certificate (PEM text), e.g. the server's own self-signed certificate. */
  tlsCa?: string;
}

export interface Dialed {
  socket: net.Socket;
  /** The event after which lines may be written: `connect` for TCP, `secureConnect` for TLS. */
  readyEvent: 'connect' | 'secureConnect';
}

export function dial(o: DialOptions): Dialed {
  if (!o.tls) return { socket: net.connect({ host: o.host, port: o.port, noDelay: true }), readyEvent: 'connect' };
  const socket = tls.connect({
    host: o.host,
    port: o.port,
    // SNI takes names only; for an address the certificate is checked against the IP itself.
    ...(net.isIP(o.host) === 0 && { servername: o.host }),
    rejectUnauthorized: !o.tlsInsecure,
    ...(o.tlsCa ? { ca: [...tls.rootCertificates, o.tlsCa] } : {}),
  });
  socket.setNoDelay(true);
  return { socket, readyEvent: 'secureConnect' };
}
