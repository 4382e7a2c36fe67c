import { runInteractive } from './interactive.js';
import { clientOptions, type ClientOptions } from './options.js';
import { runPipe } from './pipe-mode.js';

export { backoffDelay, defaultBackoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { colorEnabled, nickColor, NICK_PALETTE, styleLine } from './colors.js';
export { LineSocket } from './line-socket.js';
export { clientOptions } from './options.js';
export type { ClientOptions } from './options.js';
export { SessionState } from './session-state.js';
export { showControls } from './visible.js';

/** `chatpulse client`: interactive on a terminal, line-by-line scripting when stdin is not one. */
export function runClient(partial: Partial<ClientOptions> = {}): Promise<number> {
  const opts = clientOptions(partial);
  return opts.input.isTTY === true ? runInteractive(opts) : runPipe(opts);
}
