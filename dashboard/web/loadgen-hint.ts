/**
 * What the latency panel says while no load generator reports: that nothing does, and the command that
 * connects one to this very dashboard (its host and port, ws or wss as the page was served).
 */
export function noLoadgenText(page: { protocol: string; host: string }): string {
  const scheme = page.protocol === 'https:' ? 'wss' : 'ws';
  return `no load generator reporting — connect one: chatpulse loadgen --report ${scheme}://${page.host}/ingest`;
}
