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

/** DESIGN §8: exit within 5 s whatever the clients do; a second signal exits at once. */
export async function stopWithin(hub: Hub, ms: number): Promise<void> {
  const force = setTimeout(() => {
    console.error('chatpulse: shutdown took too long; exiting');
    process.exit(0);
  }, ms);
  force.unref();
  const now = () => process.exit(0);
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  await hub.close();
  clearTimeout(force);
}
