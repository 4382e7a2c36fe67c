import os from 'node:os';
import { isLoopbackHost } from '../dashboard/index.js';
import type { Hub } from './hub.js';

/**
 * What `chatpulse server` prints once everything listens: the ports (scripts parse
 * `chat listening on HOST:PORT` and `dashboard on http://HOST:PORT`), then what a user needs to
 * reach an exposed server safely — the token link, and a warning for anything sent in clear.
 */
export function startBanner(hub: Hub): string[] {
  const { chat, http, options } = hub;
  const tlsVersion = options.tls?.minVersion === 'TLSv1.2' ? 'TLS 1.2+' : 'TLS 1.3';
  const tlsOnChatPort = chat.tlsAddress !== undefined && chat.tlsAddress === chat.address;
  const out = [`chat listening on ${chat.address.address}:${chat.address.port}${tlsOnChatPort ? ` (${tlsVersion})` : ''}`];
  if (chat.tlsAddress && !tlsOnChatPort) out.push(`chat TLS listening on ${chat.tlsAddress.address}:${chat.tlsAddress.port} (${tlsVersion})`);
  out.push(`dashboard on http://${http.address.address}:${http.address.port}`);
  const base = `http://${reachableHost(http.address.address)}:${http.address.port}/`;
  if (hub.token !== null) {
    out.push(hub.tokenGenerated
      ? `dashboard token required (generated; --token to choose one): ${base}?token=${encodeURIComponent(hub.token)}`
      : `dashboard token required (from --token or CHATPULSE_TOKEN): ${base}?token=<your token>`);
    if (!isLoopbackHost(http.address.address)) {
      out.push('note: the dashboard is plain HTTP; its token crosses the network in clear (use a trusted network, an SSH tunnel or a TLS proxy)');
    }
  }
  if (!isLoopbackHost(chat.address.address) && !tlsOnChatPort) {
    out.push(`warning: chat on ${chat.address.address} is plain TCP and has no login: anyone who can reach it can read and send (see SECURITY.md)`);
  }
  return out;
}

/** A wildcard bind (0.0.0.0, ::) is not an address to click: use this machine's first external one. */
function reachableHost(bound: string): string {
  if (bound !== '0.0.0.0' && bound !== '::') return bound.includes(':') ? `[${bound}]` : bound;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return os.hostname();
}
