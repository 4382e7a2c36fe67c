import type { Hub, HubOptions } from '../../cli/hub.js';
import { startTestHub as startHubWithDir } from './hub.js';

/**
 * The same in-process hub as ./hub.ts, shaped as the chat tests use it: the Hub itself plus
 * `cleanup()`. Pass `db` to reuse a store across a restart.
 */
export async function startTestHub(opts: Partial<HubOptions> = {}): Promise<Hub & { cleanup(): Promise<void> }> {
  const started = await startHubWithDir(opts);
  return Object.assign(started.hub, { cleanup: () => started.stop() });
}
