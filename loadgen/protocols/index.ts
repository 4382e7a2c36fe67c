import type { ProtocolAdapter } from './adapter.js';
import { chatpulseProtocol } from './chatpulse.js';
import { ircProtocol } from './irc.js';
import { specJsonProtocol } from './spec-json.js';
import type { ProtocolSpec } from './spec.js';

export type { ProtocolAdapter, ProtocolEvent, ProtocolEventKind, ProtocolSession } from './adapter.js';
export { newProtocolEvent } from './adapter.js';
export { checkSpec, loadSpec, SpecError } from './spec.js';
export type { ProtocolSpec } from './spec.js';

/** The protocol of `wsjson://` targets: an app described by a `--spec` file, not a fixed adapter. */
export const SPEC_PROTOCOL = 'wsjson';

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

/** The adapter for resolved options: a fixed one by name, or one made from the run's spec. */
export function adapterFor(name: string, spec: ProtocolSpec | undefined): ProtocolAdapter {
  if (name !== SPEC_PROTOCOL) return getProtocol(name);
  if (!spec) throw new Error(`protocol '${name}' needs a spec`);
  return specJsonProtocol(spec);
}
