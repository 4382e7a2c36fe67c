import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { LoadgenTickReport } from '../loadgen/report.js';
import type { IngestErrorFrame } from './frames.js';
import { IngestError, parseIngestFrame, type IngestRejectReason } from './ingest-validate.js';

export interface IngestOptions {
  /** Receives every valid report (the aggregator keeps the latest per `source`). */
  onReport: (report: LoadgenTickReport) => void;
  /** Largest accepted frame; a bigger one closes that connection (1009). @default 65536 */
  maxFrameBytes?: number;
  /** Where rejected frames are reported, at most once per `logEveryMs` per connection. @default console.error */
  log?: (line: string) => void;
  /** @default 5000 */
  logEveryMs?: number;
  /** Frames per second one connection may send; the excess is dropped (reason `rate`). @default 20 */
  maxFramesPerSecond?: number;
  /** Open /ingest connections at most; one more is closed at once (1013). @default 64 */
  maxConnections?: number;
  now?: () => number;
}

export interface IngestStats {
  accepted: number;
  /** Frames dropped, all reasons. */
  rejected: number;
  /** Frames dropped by reason (`chat_ingest_rejected_total{reason}`). */
  rejectedBy: Record<IngestRejectReason, number>;
  /** Connections closed at once because `maxConnections` were open. */
  refusedConnections: number;
  connections: number;
}

export interface IngestServer {
  readonly wss: WebSocketServer;
  stats(): IngestStats;
  close(): Promise<void>;
}

/**
 * `WS /ingest`: one JSON `LoadgenTickReport` per text frame. A bad frame is dropped and counted, the
 * sender gets an `ingest-error` frame naming the problem, and the connection stays open.
 */
export function createIngestServer(options: IngestOptions): IngestServer {
  const opts = {
    maxFrameBytes: 65536, log: (l: string) => console.error(l), logEveryMs: 5000, maxFramesPerSecond: 20, maxConnections: 64,
    now: Date.now, ...options,
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes, perMessageDeflate: false });
  const rejectedBy: Record<IngestRejectReason, number> = { not_json: 0, invalid: 0, binary: 0, too_large: 0, rate: 0, protocol: 0 };
  const stats = { accepted: 0, rejected: 0, refusedConnections: 0, connections: 0 };

  wss.on('connection', (ws: WebSocket) => {
    if (stats.connections >= opts.maxConnections) {
      stats.refusedConnections++;
      ws.close(1013, `too many /ingest connections (max ${opts.maxConnections})`);
      return;
    }
    stats.connections++;
    let lastLog = -Infinity;
    let unlogged = 0;
    let windowStart = 0;
    let framesInWindow = 0;
    const reject = (reason: string, kind: IngestRejectReason) => {
      stats.rejected++;
      rejectedBy[kind]++;
      unlogged++;
      // Replies are best effort: a sender that never reads must not grow our buffers.
      if (ws.bufferedAmount < 65536) ws.send(JSON.stringify({ type: 'ingest-error', error: reason } satisfies IngestErrorFrame));
      const now = opts.now();
      if (now - lastLog >= opts.logEveryMs) {
        opts.log(`ingest: dropped ${unlogged} frame(s): ${reason}`);
        lastLog = now;
        unlogged = 0;
      }
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const now = opts.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        framesInWindow = 0;
      }
      // Checked before parsing, so a flood costs a counter, not a JSON.parse per frame.
      if (++framesInWindow > opts.maxFramesPerSecond) return reject(`more than ${opts.maxFramesPerSecond} frames/s`, 'rate');
      if (isBinary) return reject('binary frames are not accepted; send JSON text', 'binary');
      let report: LoadgenTickReport;
      try {
        report = parseIngestFrame(rawToString(data));
      } catch (err) {
        return err instanceof IngestError ? reject(err.message, err.reason) : reject('invalid frame', 'invalid');
      }
      stats.accepted++;
      try {
        opts.onReport(report);
      } catch (err) {
        opts.log(`ingest: report handler failed: ${(err as Error).message}`);
      }
    });
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself (e.g. 1009 for an oversized frame); count it and move on.
      reject(err.message, err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_large' : 'protocol');
    });
    ws.on('close', () => {
      stats.connections--;
    });
  });

  let closing: Promise<void> | undefined;
  return {
    wss,
    stats: () => ({ ...stats, rejectedBy: { ...rejectedBy } }),
    close() {
      closing ??= new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      });
      return closing;
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
