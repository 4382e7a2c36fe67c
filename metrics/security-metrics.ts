import { Counter, type Registry } from 'prom-client';

/** What the HTTP gate, `/ingest` and the TLS listener have turned away; read at scrape time. */
export interface SecurityCounts {
  ingestAccepted: number;
  /** Dropped /ingest frames by reason (`not_json`, `invalid`, `binary`, `too_large`, `rate`, `protocol`). */
  ingestRejected: Record<string, number>;
  /** Refused HTTP requests and upgrades by reason (`token`, `origin`, `host`, `url`). */
  httpRefused: Record<string, number>;
  tlsHandshakeFailures: number;
}

/**
 * `chat_ingest_reports_total`, `chat_ingest_rejected_total{reason}`, `chat_http_refused_total{reason}`
 * and `chat_tls_handshake_failures_total`. The parts count plain integers on their paths; these
 * counters copy them at scrape time, so nothing here runs per frame. Every label value is one of a
 * fixed few, so the series are bounded whatever a peer sends.
 */
export function registerSecurityMetrics(registry: Registry, counts: () => SecurityCounts): void {
  const registers = [registry];
  new Counter({
    name: 'chat_ingest_reports_total', help: 'Loadgen reports accepted on WS /ingest', registers,
    collect() {
      this.reset();
      this.inc(counts().ingestAccepted);
    },
  });
  const byReason = (name: string, help: string, pick: (c: SecurityCounts) => Record<string, number>) =>
    new Counter({
      name, help, labelNames: ['reason'], registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(pick(counts()))) this.inc({ reason }, n);
      },
    });
  byReason('chat_ingest_rejected_total', 'WS /ingest frames dropped, by reason', (c) => c.ingestRejected);
  byReason('chat_http_refused_total', 'HTTP requests and WebSocket upgrades refused (no token, foreign Origin or Host)', (c) => c.httpRefused);
  new Counter({
    name: 'chat_tls_handshake_failures_total', help: 'Chat TLS handshakes that failed (plain TCP on the TLS port, old versions, timeouts)', registers,
    collect() {
      this.reset();
      this.inc(counts().tlsHandshakeFailures);
    },
  });
}
