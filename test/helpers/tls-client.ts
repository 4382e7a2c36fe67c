import tls from 'node:tls';
import { LineClient } from './line-client.js';

/** A LineClient over TLS (a TLSSocket is a net.Socket); trusts `ca` only, checks the name `localhost`. */
export function connectTls(port: number, ca: Buffer, opts: tls.ConnectionOptions = {}): Promise<LineClient> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...opts }, () => resolve(new LineClient(s)));
    s.once('error', reject);
  });
}

export async function loginTls(port: number, ca: Buffer, nick: string): Promise<LineClient> {
  const c = await connectTls(port, ca);
  c.send(`/nick ${nick}`);
  await c.waitFor((l) => l.startsWith('* Welcome') && l.includes(nick));
  return c;
}
