import type { ProtocolAdapter } from './adapter.js';
import { chatpulseProtocol } from './chatpulse.js';
import { ircProtocol } from './irc.js';
import { mqttProtocol } from './mqtt.js';
import { specJsonProtocol } from './spec-json.js';
import { specSocketIoProtocol } from './spec-socketio.js';
import type { ProtocolSpec } from './spec.js';
import { xmppProtocol } from './xmpp.js';

export type { ProtocolAdapter, ProtocolEvent, ProtocolEventKind, ProtocolSession } from './adapter.js';
export { newProtocolEvent } from './adapter.js';
export { checkSpec, loadSpec, SpecError } from './spec.js';
export type { ProtocolSpec } from './spec.js';

/**
 * The protocols of apps described by a `--spec` file rather than a fixed adapter, each with the spec
 * `transport` it takes: `wsjson://` (JSON frames) and `socketio://` (Socket.IO events).
 */
export const SPEC_PROTOCOLS: Readonly<Record<string, ProtocolSpec['transport']>> = { wsjson: 'websocket', socketio: 'socketio' };
export const isSpecProtocol = (name: string): boolean => Object.hasOwn(SPEC_PROTOCOLS, name);
export { DEFAULT_SOCKETIO_PATH, socketIoRequestPath } from './spec-socketio.js';

/** Every protocol the load generator speaks, by `--protocol` name. A new protocol: one file, one line here. */
export const protocols: Readonly<Record<string, ProtocolAdapter>> = {
  chatpulse: chatpulseProtocol,
  irc: ircProtocol,
  mqtt: mqttProtocol,
  xmpp: xmppProtocol,
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
  if (!isSpecProtocol(name)) return getProtocol(name);
  if (!spec) throw new Error(`protocol '${name}' needs a spec`);
  return name === 'socketio' ? specSocketIoProtocol(spec) : specJsonProtocol(spec);
}
