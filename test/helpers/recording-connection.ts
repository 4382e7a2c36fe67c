import * as assert from 'uvu/assert';
import { QueuedConnection } from '../../server/queued-connection.js';
import type { ConnectionHandler } from '../../server/transport.js';
import type { WriteCoalescer } from '../../server/write-coalescer.js';

/**
 * A real `QueuedConnection` whose transport records each batch it would write instead of writing
 * it, for driving the chat core within one event-loop turn. `destroy` closes at once (a socket
 * would close on its later 'close' event).
 */
export class Recorder extends QueuedConnection {
  readonly transport = 'test';
  readonly remote = 'test';
  readonly batches: Buffer[][] = [];
  handler: ConnectionHandler | undefined;

  constructor(
    coalescer: WriteCoalescer,
    readonly framed: boolean,
  ) {
    super(coalescer, 1 << 26);
  }

  protected transportBacklog(): number {
    return 0;
  }

  protected writeBatch(chunks: Buffer[]): void {
    this.batches.push(chunks.map((c) => Buffer.from(c)));
  }

  destroy(): void {
    if (this.closed) return;
    this.noteClosed();
    this.handler?.onClose();
  }

  protected closeAfterFlush(): void {
    this.destroy();
  }

  protected overrun(): void {
    this.handler?.onOverrun();
  }

  /** What the peer read, line by line: WebSocket frames (RFC 6455, short unmasked text) unwrapped. */
  received(): string[] {
    const out: string[] = [];
    for (const batch of this.batches) {
      for (const chunk of batch) {
        if (chunk[0] !== 0x81) {
          out.push(...chunk.toString('utf8').split('\n').slice(0, -1));
          continue;
        }
        for (let at = 0; at < chunk.length; ) {
          assert.is(chunk[at], 0x81, 'a whole text frame');
          const n = chunk[at + 1] as number;
          assert.ok(n < 126, 'short frames in these tests');
          out.push(chunk.toString('utf8', at + 2, at + 2 + n));
          at += 2 + n;
        }
      }
    }
    return out;
  }
}

