import type { ProtocolAdapter } from './adapter.js';
import { chatpulseProtocol } from './chatpulse.js';
import { ircProtocol } from './irc.js';

export type { ProtocolAdapter, ProtocolEvent, ProtocolEventKind, ProtocolSession } from './adapter.js';
export { newProtocolEvent } from './adapter.js';

/** Every protocol the load generator speaks, by `--protocol` name. A new protocol: one file, one line here. */
export const protocols: Readonly<Record<string, ProtocolAdapter>> = {
  chatpulse: chatpulseProtocol,
  irc: ircProtocol,
};

export function protocolNames(): string[] {
  return Object.keys(protocols);
}

export function getProtocol(name: string): ProtocolAdapter {
  const p = protocols[name];
  if (p === undefined) throw new Error(`unknown protocol '${name}' (known: ${protocolNames().join(', ')})`);
  return p;
}
