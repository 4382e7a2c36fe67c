/**
 * The counters each worker keeps per tick and the main thread sums over the run, declared once:
 * `WorkerStats`, `WorkerTick` and `RunAggregate` all take them from here, so adding a counter is one
 * edit. A class of plain numeric fields, so the receive path's `stats.late++` stays a field increment.
 */
export class DeliveryCounts {
  /** Room messages written. */
  sent = 0;
  /** Private messages written. */
  pmSent = 0;
  /** Deliveries seen (room messages and PMs, own echoes included). */
  received = 0;
  duplicated = 0;
  reordered = 0;
  /** Seen later than the loss timeout. */
  late = 0;
  connects = 0;
  reconnects = 0;
}

export type DeliveryCounter = keyof DeliveryCounts;

/** Every counter's name, in declaration order. */
export const DELIVERY_COUNTERS = Object.keys(new DeliveryCounts()) as DeliveryCounter[];

/** `into` += `from`, counter by counter. */
export function addDeliveryCounts(into: DeliveryCounts, from: Readonly<DeliveryCounts>): void {
  for (const k of DELIVERY_COUNTERS) into[k] += from[k];
}

/** The counters alone, as a plain object (for a tick message), and `from`'s set back to zero. */
export function takeDeliveryCounts(from: DeliveryCounts): DeliveryCounts {
  const out = new DeliveryCounts();
  for (const k of DELIVERY_COUNTERS) {
    out[k] = from[k];
    from[k] = 0;
  }
  return out;
}
