import { defaultBackoff, type BackoffOptions } from './backoff.js';

export interface ClientOptions {
  /** @default '127.0.0.1' */
  host: string;
  /** @default 5555 */
  port: number;
  /** Nickname to log in with (and again after each reconnect); '' = type it at the prompt. */
  nick: string;
  /** Pipe mode: after stdin ends, exit once no line has arrived for this long, ms. @default 500 */
  settleMs: number;
  backoff: BackoffOptions;
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  errors: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export function clientOptions(partial: Partial<ClientOptions> = {}): ClientOptions {
  return {
    host: '127.0.0.1', port: 5555, nick: '', settleMs: 500, backoff: defaultBackoff,
    input: process.stdin, output: process.stdout, errors: process.stderr, env: process.env,
    ...partial,
  };
}
