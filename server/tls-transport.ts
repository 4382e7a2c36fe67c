import type net from 'node:net';
import tls from 'node:tls';
import { SocketListener } from './socket-listener.js';

/** What `--tls-cert`, `--tls-key` and `--tls-min` turn into. */
export interface ChatTlsOptions {
  /** PEM certificate chain. */
  cert: Buffer | string;
  /** PEM private key matching `cert`. */
  key: Buffer | string;
  /** Oldest protocol version accepted. @default 'TLSv1.3' */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** A client that has not finished its handshake by then is dropped. @default 10000 */
  handshakeTimeoutMs?: number;
}

export interface TlsListenerStats {
  /** Handshakes that failed (a plain TCP client, an old TLS version, an untrusted peer, a timeout). */
  handshakeFailures: number;
}

/**
 * Accepts TLS connections and hands each decrypted socket to `accept`. A `TLSSocket` is a
 * `net.Socket`, so the chat side reuses `TcpConnection` unchanged: TLS is a transport concern only.
 * A peer that fails its handshake is dropped and counted here; it never reaches the chat core.
 */
export class TlsListener extends SocketListener {
  readonly #stats: TlsListenerStats = { handshakeFailures: 0 };

  constructor(options: ChatTlsOptions, accept: (socket: net.Socket) => void) {
    const server = tls.createServer({
      cert: options.cert,
      key: options.key,
      minVersion: options.minVersion ?? 'TLSv1.3',
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      noDelay: true,
    }, accept);
    super(server);
    server.on('tlsClientError', (_err, socket) => {
      this.#stats.handshakeFailures++;
      socket.destroy();
    });
  }

  stats(): TlsListenerStats {
    return { ...this.#stats };
  }
}

/**
 * Checks a certificate and key before anything listens, so a bad pair fails at start and not at the
 * first handshake: throws (with OpenSSL's reason) on unparsable PEM or a key that does not match.
 */
export function checkTlsMaterial(options: ChatTlsOptions): void {
  tls.createSecureContext({ cert: options.cert, key: options.key, minVersion: options.minVersion ?? 'TLSv1.3' });
}
