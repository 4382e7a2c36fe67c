// How `chatpulse server` ends (DESIGN §8): wait for a signal, then close the hub within a bound.
import type { Hub } from './hub.js';

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * DESIGN §8: exit within 5 s whatever the clients do. A second signal (a Ctrl-C pressed again, a
 * supervisor repeating its SIGTERM) does not cut that short: exiting then lost the run's results and
 * the last second of history, with exit code 0. The shutdown is bounded anyway, so it says so and goes on.
 */
export async function stopWithin(hub: Hub, ms: number): Promise<void> {
  const force = setTimeout(() => {
    console.error('chatpulse: shutdown took too long; exiting');
    process.exit(0);
  }, ms);
  force.unref();
  const again = (sig: NodeJS.Signals) => {
    console.error(`chatpulse: ${sig} again: already shutting down — writing this run's results and history, exiting within ${Math.ceil(ms / 1000)} s`);
  };
  // Kept to the end: a signal after the close, while the process winds down, must not kill it either.
  process.on('SIGINT', again);
  process.on('SIGTERM', again);
  await hub.close();
  clearTimeout(force);
}
