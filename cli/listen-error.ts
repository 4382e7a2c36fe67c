/**
 * One line saying why a listen failed, in the user's terms (busy port, foreign address, no permission).
 * Shared by `chatpulse server` and the demo, which both start the hub.
 */
export function describeListenError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.code === 'EADDRINUSE') return `port ${e.port} on ${e.address} is busy (is another chatpulse running?)`;
  if (e?.code === 'EADDRNOTAVAIL') return `address ${e.address} is not on this machine`;
  if (e?.code === 'EACCES') return `no permission to listen on port ${e.port}`;
  return e?.message ?? String(err);
}
