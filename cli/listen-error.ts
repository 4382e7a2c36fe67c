/**
 * One line saying why a listen failed, in the user's terms (busy port, foreign address, no permission).
 * Shared by `chatpulse server` and the demo, which both start the hub.
 */
type ListenError = NodeJS.ErrnoException & { port?: number; address?: string; hostname?: string };

export function describeListenError(err: unknown): string {
  const e = err as ListenError;
  if (e?.code === 'EADDRINUSE') return `port ${e.port} on ${e.address} is busy (is another chatpulse running?)`;
  if (e?.code === 'EADDRNOTAVAIL') return `address ${e.address} is not on this machine`;
  if (e?.code === 'EACCES') return `no permission to listen on port ${e.port}`;
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return `address ${e.hostname} is not known (no such host; e.g. 127.0.0.1 is this machine)`;
  return e?.message ?? String(err);
}

/**
 * The address flag a listen failure is about, when the address itself is wrong (not on this machine,
 * or no such host): a usage error, exit 2, naming the flag. Undefined for anything else.
 */
export function badAddressFlag(err: unknown, flags: Record<string, string>): string | undefined {
  const e = err as ListenError;
  if (e?.code !== 'EADDRNOTAVAIL' && e?.code !== 'ENOTFOUND' && e?.code !== 'EAI_AGAIN') return undefined;
  const address = e.code === 'EADDRNOTAVAIL' ? e.address : e.hostname;
  return Object.keys(flags).find((flag) => flags[flag] === address);
}
