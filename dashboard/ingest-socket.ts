import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { LoadgenTickReport } from '../loadgen/report.js';
import type { IngestErrorFrame } from './frames.js';
import { IngestError, parseIngestFrame } from './ingest-validate.js';

export interface IngestOptions {
  /** Receives every valid report (the aggregator keeps the latest per `source`). */
  onReport: (report: LoadgenTickReport) => void;
  /** Largest accepted frame; a bigger one closes that connection (1009). @default 65536 */
  maxFrameBytes?: number;
  /** Where rejected frames are reported, at most once per `logEveryMs` per connection. @default console.error */
  log?: (line: string) => void;
  /** @default 5000 */
  logEveryMs?: number;
}

export interface IngestStats {
  accepted: number;
  rejected: number;
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
  const opts = { maxFrameBytes: 65536, log: (l: string) => console.error(l), logEveryMs: 5000, ...options };
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes, perMessageDeflate: false });
  const stats: IngestStats = { accepted: 0, rejected: 0, connections: 0 };

  wss.on('connection', (ws: WebSocket) => {
    stats.connections++;
    let lastLog = -Infinity;
    let unlogged = 0;
    const reject = (reason: string) => {
      stats.rejected++;
      unlogged++;
      // Replies are best effort: a sender that never reads must not grow our buffers.
      if (ws.bufferedAmount < 65536) ws.send(JSON.stringify({ type: 'ingest-error', error: reason } satisfies IngestErrorFrame));
      const now = Date.now();
      if (now - lastLog >= opts.logEveryMs) {
        opts.log(`ingest: dropped ${unlogged} frame(s): ${reason}`);
        lastLog = now;
        unlogged = 0;
      }
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return reject('binary frames are not accepted; send JSON text');
      let report: LoadgenTickReport;
      try {
        report = parseIngestFrame(rawToString(data));
      } catch (err) {
        return reject(err instanceof IngestError ? err.message : 'invalid frame');
      }
      stats.accepted++;
      try {
        opts.onReport(report);
      } catch (err) {
        opts.log(`ingest: report handler failed: ${(err as Error).message}`);
      }
    });
    ws.on('error', (err) => {
      // ws closes the socket itself (e.g. 1009 for an oversized frame); count it and move on.
      reject(err.message);
    });
    ws.on('close', () => {
      stats.connections--;
    });
  });

  let closing: Promise<void> | undefined;
  return {
    wss,
    stats: () => ({ ...stats }),
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
