import type { LoadSummary } from '../../loadgen/index.js';

/**
 * Disconnects a crashed server caused, as the loadgen names them: a killed process's sockets close with
 * FIN, or with RST where input was still unread (which of the two depends on timing, per socket).
 */
export function crashDisconnects(s: Pick<LoadSummary, 'errors'>): number {
  return (s.errors.connection_closed ?? 0) + (s.errors.connection_reset ?? 0);
}
