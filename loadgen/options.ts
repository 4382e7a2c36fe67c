import { randomInt } from 'node:crypto';
import os from 'node:os';
import { adapterFor, checkSpec, DEFAULT_SOCKETIO_PATH, getProtocol, isSpecProtocol, protocolNames, SPEC_PROTOCOLS, SpecError, type ProtocolSpec } from './protocols/index.js';
import type { LoadAction } from './protocols/adapter.js';
import type { Scenario } from './scenario.js';

/** Everything a load run needs. Durations are milliseconds. */
export interface LoadOptions {
  /** @default '127.0.0.1' */
  host: string;
  /** @default 5555 */
  port: number;
  /** Protocol adapter name (`protocols/index.ts`). @default 'chatpulse' */
  protocol: string;
  /**
   * Servers to spread the clients over, round-robin, with one delivery ledger across them:
   * `HOST:PORT` (protocol from `protocol`), `PROTO://HOST:PORT`, or `ws://HOST:PORT/PATH` / `wss://…`
   * (chatpulse lines over a WebSocket). Empty: `host`:`port`. They must speak one protocol; transports
   * may differ (the ledger does not care how lines travel). Resolved to canonical URLs; `host`, `port`
   * and `protocol` then name the first.
   * @default []
   */
  targets: string[];
  /** Virtual clients. @default 300 */
  clients: number;
  /** Rooms the clients spread over (`room1`…`roomN`). @default 8 */
  rooms: number;
  /** Actions per second per client (Poisson). @default 1 */
  rate: number;
  /** @default 60_000 */
  duration: number;
  /** Clients connect evenly over this long. @default 10_000 */
  ramp: number;
  /** Share of actions that are private messages. @default 0.05 */
  pm: number;
  /** Share of actions that switch room. @default 0.02 */
  switch: number;
  /** Share of actions that ask `/users`. @default 0.01 */
  users: number;
  /** Message text length in bytes. @default 40 */
  size: number;
  /** Same seed, same schedule. @default 1 */
  seed: number;
  /** Worker threads. @default cores − 1, at least 1 */
  workers: number;
  /** Own room messages a client may have unacknowledged (echo) before due ones wait; 0 = no limit. @default 1 */
  inflight: number;
  /** A delivery not seen this long after it was written counts as lost. @default 5000 */
  lossTimeout: number;
  /** Tick (progress, report, windows). @default 1000 */
  interval: number;
  /**
   * Nickname prefix: clients are `<prefix><index>`. Empty: `lg` and three random letters, new for
   * each run (runNickPrefix()). @default ''
   */
  nickPrefix: string;
  /** Who we are in reports. @default host-pid */
  label: string;
  /**
   * The app a `wsjson://` target speaks (`--spec FILE.json`, protocols/spec.ts): required with one,
   * refused without. Loaded once in the main thread; workers get it by structured clone.
   */
  spec?: ProtocolSpec;
  /** Phases instead of ramp/rate/duration. */
  scenario?: Scenario;
  /** Connect over TLS (TCP targets; every protocol adapter runs over it; WebSocket: `wss://`). @default false */
  tls: boolean;
  /** With `tls` or `wss://`: accept any certificate (self-signed servers). @default false */
  tlsInsecure: boolean;
  /** With `tls` or `wss://`: an extra trusted certificate, PEM text (`--tls-ca FILE`). @default '' */
  tlsCa: string;
}

export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export const defaultLoadOptions: LoadOptions = {
  host: '127.0.0.1', port: 5555, protocol: 'chatpulse', targets: [], clients: 300, rooms: 8, rate: 1, duration: 60_000,
  ramp: 10_000, pm: 0.05, switch: 0.02, users: 0.01, size: 40, seed: 1, workers: defaultWorkers(), inflight: 0,
  lossTimeout: 5000, interval: 1000, nickPrefix: '', label: `${os.hostname()}-${process.pid}`,
  tls: false, tlsInsecure: false, tlsCa: '',
};

/**
 * `lg` and three random letters (`lgqwe`), for one run. Why: a chat server restores a nickname that
 * left within its grace period to its old rooms, so a second run with the same nicknames (a demo
 * right after a demo, or `loadgen` twice against one server) had its clients put back into the first
 * run's rooms instead of `main`. Letters only, so the client index that follows reads apart; five
 * characters, so `<prefix><index>` stays within IRC's classic 9 up to 9999 clients (and far within
 * our 32 up to 100000). Chosen once in the main thread: every worker gets it in the resolved options,
 * so PM targets (`<prefix><index>` of another worker's client) match.
 */
export function runNickPrefix(random: (n: number) => number = randomInt): string {
  let s = 'lg';
  for (let i = 0; i < 3; i++) s += String.fromCharCode(97 + random(26));
  return s;
}

export class LoadOptionsError extends Error {
  readonly code = 'CHATPULSE_LOADGEN_OPTIONS';
}

function check(ok: boolean, name: string, expected: string, got: unknown): void {
  if (!ok) throw new LoadOptionsError(`${name} must be ${expected}, got ${JSON.stringify(got)}`);
}

const isInt = (n: unknown, min: number, max = Number.MAX_SAFE_INTEGER) =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
const isNum = (n: unknown, min: number, max = Infinity) => typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max;

/** Defaults spread in, then every field checked; the message names the option. */
export function resolveLoadOptions(partial: Partial<LoadOptions> = {}): LoadOptions {
  const o = { ...defaultLoadOptions, ...partial };
  // A value from a scenario file is named as its field there, not as a flag the user never gave.
  const fromScenario = new Set<string>();
  if (o.scenario) {
    // A scenario's own fields win over flags; its phases set the length.
    const sc = o.scenario;
    for (const k of ['clients', 'rooms', 'rate', 'pm', 'switch', 'users', 'size', 'seed'] as const) {
      if (sc[k] === undefined) continue;
      o[k] = sc[k];
      fromScenario.add(k);
    }
    o.duration = sc.phases.reduce((a, p) => a + p.duration, 0);
    o.ramp = 0;
    fromScenario.add('duration');
  }
  const named = (k: string) => (!fromScenario.has(k) ? k : k === 'duration' ? 'scenario phases (in all)' : `scenario "${k}"`);
  // Only --host itself is checked here (its error named a --target the user never gave): a space, a
  // slash or the like cannot be in a host name or address.
  check(typeof o.host === 'string' && o.host.length > 0 && (o.targets.length > 0 || !/[\s/?#@\\]/.test(o.host)), 'host', 'a host name or address', o.host);
  check(isInt(o.port, 1, 65535), 'port', 'a port from 1 to 65535', o.port);
  const known = [...protocolNames(), ...Object.keys(SPEC_PROTOCOLS)];
  check(known.includes(o.protocol), 'protocol', `one of ${known.join(', ')}`, o.protocol);
  check(Array.isArray(o.targets) && o.targets.length <= 64, 'targets', 'a list of at most 64 targets', o.targets);
  const targets = (o.targets.length > 0 ? o.targets : [targetUrl(o)]).map((t) => parseTarget(t, o.protocol));
  const protos = [...new Set(targets.map((t) => t.protocol))];
  if (protos.length > 1) throw new LoadOptionsError(`targets must all speak one protocol, got ${protos.join(' and ')}`);
  o.targets = targets.map(targetUrl);
  o.protocol = (targets[0] as Target).protocol;
  o.host = (targets[0] as Target).host;
  o.port = (targets[0] as Target).port;
  if (isSpecProtocol(o.protocol)) {
    if (o.spec === undefined) throw new LoadOptionsError(`spec is required with a ${o.protocol}:// target (--spec FILE.json describes the app)`);
    try {
      o.spec = checkSpec(o.spec);
    } catch (err) {
      if (err instanceof SpecError) throw new LoadOptionsError(`spec: ${err.message}`);
      throw err;
    }
    const wants = SPEC_PROTOCOLS[o.protocol];
    if (o.spec.transport !== wants) {
      const fits = Object.keys(SPEC_PROTOCOLS).find((p) => SPEC_PROTOCOLS[p] === o.spec?.transport);
      throw new LoadOptionsError(`spec: transport "${o.spec.transport}" is for ${fits}:// targets, not ${o.protocol}:// (which takes "${wants}")`);
    }
  } else if (o.spec !== undefined) {
    throw new LoadOptionsError(`spec is for wsjson:// and socketio:// targets, not ${o.protocol}`);
  }
  // What the protocol cannot express is not scheduled (DESIGN §9: an app without send.pm / send.leave).
  for (const action of Object.keys(adapterFor(o.protocol, o.spec).cannot ?? {}) as LoadAction[]) o[action] = 0;
  check(isInt(o.clients, 1, 100_000), named('clients'), 'a whole number from 1 to 100000', o.clients);
  check(isInt(o.rooms, 1, 10_000), named('rooms'), 'a whole number from 1 to 10000', o.rooms);
  check(isNum(o.rate, 0, 1000), named('rate'), 'a number from 0 to 1000', o.rate);
  check(isNum(o.duration, 1, 7 * 86_400_000), named('duration'), 'a duration above 0 and at most 7 days (in ms)', o.duration);
  check(isNum(o.ramp, 0, o.duration), 'ramp', 'a duration no longer than the run', o.ramp);
  for (const k of ['pm', 'switch', 'users'] as const) check(isNum(o[k], 0, 1), named(k), 'a share from 0 to 1', o[k]);
  check(o.pm + o.switch + o.users <= 1, 'pm + switch + users', 'at most 1', o.pm + o.switch + o.users);
  check(isInt(o.size, 1, 4000), named('size'), 'a whole number of bytes from 1 to 4000', o.size);
  check(isInt(o.seed, 0, 2 ** 32 - 1), named('seed'), 'a whole number from 0 to 4294967295', o.seed);
  check(isInt(o.workers, 1, 64), 'workers', 'a whole number from 1 to 64', o.workers);
  check(isInt(o.inflight, 0, 1_000_000), 'inflight', 'a whole number from 0 to 1000000', o.inflight);
  check(isNum(o.lossTimeout, 100, 600_000), 'lossTimeout', 'a duration from 100ms to 10m', o.lossTimeout);
  check(isNum(o.interval, 50, 60_000), 'interval', 'a duration from 50ms to 1m', o.interval);
  const secure = o.tls || targets.some((t) => t.transport === 'wss');
  check(secure || !o.tlsInsecure, 'tlsInsecure', 'used with tls or a wss:// target', o.tlsInsecure);
  check(secure || !o.tlsCa, 'tlsCa', 'used with tls or a wss:// target', '(PEM)');
  // --tls turns TCP into TLS, and a spec app's WebSocket into wss; a ws:// target names its own (wss://).
  check(!o.tls || targets.every((t) => t.transport === 'tcp' || isSpecProtocol(t.protocol)), 'tls', 'left off with ws:// or wss:// targets (wss:// is WebSocket over TLS)', o.tls);
  if (o.nickPrefix === '') o.nickPrefix = runNickPrefix();
  check(!o.nickPrefix.includes('_'), 'nickPrefix', 'without _ (it starts the suffix of a retried nickname)', o.nickPrefix);
  check(/^[\p{L}\p{N}.-]{1,20}$/u.test(o.nickPrefix), 'nickPrefix', '1-20 letters, digits, - .', o.nickPrefix);
  // The prefix tells this run's members from another run's (run-identity.ts): `lg` beside `lg1` would
  // claim `lg1`'s clients as its own, and a prefix a server normalizes (XMPP nicknames are NFKC, ours
  // NFC) would not find the run's own clients in its member lists.
  check(!/\p{N}$/u.test(o.nickPrefix), 'nickPrefix', 'a prefix not ending in a digit (the client index follows it)', o.nickPrefix);
  check(o.nickPrefix === o.nickPrefix.normalize('NFKC'), 'nickPrefix', 'in Unicode NFKC form (as servers store nicknames)', o.nickPrefix);
  return o;
}

export interface Target {
  /** The protocol adapter: how lines read. */
  protocol: string;
  /** How bytes travel: TCP (TLS with `--tls`), or a WebSocket, one line per text frame. */
  transport: 'tcp' | 'ws' | 'wss';
  host: string;
  port: number;
  /** ws/wss (and wsjson, a ws transport): the request path; socketio: the Engine.IO path ('' for TCP). */
  path: string;
  /** socketio: the namespace ('/' for the main one); '' for other protocols. */
  namespace: string;
  /** The URL's query, for an adapter that declares `params` (`xmpp://h?muc=…`); empty for the others. */
  params: Record<string, string>;
}

/** The WebSocket schemes: chatpulse lines, one per text frame (DESIGN §9). */
const WS_SCHEMES = ['ws', 'wss'] as const;
/** The path of a `ws://HOST:PORT` target without one: where `chatpulse server` serves its lines. */
export const DEFAULT_WS_PATH = '/chat/ws';

/**
 * `chatpulse://127.0.0.1:5555`, `ws://127.0.0.1:8080/chat/ws`, `socketio://127.0.0.1:3000/chat?path=/io/`
 * (IPv6 hosts in brackets). Parses back to the same target.
 */
export function targetUrl(o: Pick<Target, 'protocol' | 'host' | 'port'> & Partial<Pick<Target, 'transport' | 'path' | 'namespace' | 'params'>>): string {
  const host = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
  if (o.protocol === 'socketio') {
    const ns = o.namespace && o.namespace !== '/' ? o.namespace : '';
    const path = o.path && o.path !== DEFAULT_SOCKETIO_PATH ? `?path=${encodeURIComponent(o.path)}` : '';
    return `socketio://${host}:${o.port}${ns}${path}`;
  }
  const ws = o.transport === 'ws' || o.transport === 'wss';
  const scheme = o.protocol === 'wsjson' ? 'wsjson' : ws ? o.transport : o.protocol;
  const keys = Object.keys(o.params ?? {}).sort();
  const query = keys.length > 0 ? `?${keys.map((k) => `${k}=${encodeURIComponent(o.params?.[k] ?? '')}`).join('&')}` : '';
  return `${scheme}://${host}:${o.port}${ws ? o.path ?? DEFAULT_WS_PATH : ''}${query}`;
}

/**
 * A target's own spec file (`…?spec=FILE`, for spec-driven targets): the URL without it, and the file.
 * Read by the commands, which load files; the rest of the URL is parsed by `parseTarget`.
 */
export function splitTargetSpec(raw: string): { url: string; specFile: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^?#]*)\?(.*)$/i.exec(raw);
  if (!m) return { url: raw, specFile: '' };
  // The other parameters are kept as typed (not re-encoded: a `+` stays a `+`).
  const parts = (m[2] as string).split('&');
  const spec = parts.filter((p) => p.startsWith('spec='));
  const rest = parts.filter((p) => !p.startsWith('spec=')).join('&');
  const specFile = spec.length > 0 ? decodeQueryPart((spec[0] as string).slice(5)) : '';
  return { url: rest === '' ? (m[1] as string) : `${m[1]}?${rest}`, specFile };
}

/**
 * A query value as typed, percent-decoded — but a `+` is a `+`: form encoding's "+ is a space"
 * (URLSearchParams) turned `?prefix=a/+/` into `a/ /` and a password's `+` into a space.
 */
function decodeQueryPart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `?a=1&b=x+y` → `{a: '1', b: 'x+y'}`: the last of a repeated key wins, as Object.fromEntries(searchParams) did. */
function queryParams(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out[decodeQueryPart(eq === -1 ? part : part.slice(0, eq))] = eq === -1 ? '' : decodeQueryPart(part.slice(eq + 1));
  }
  return out;
}

/**
 * A target URL fit to print or save: a `password=` in its query (XMPP's `auth=plain`) reads `***`.
 * Summaries, reports, progress lines and compare files all show targets; none shows a secret.
 */
export function redactTarget(url: string): string {
  return url.replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** Every target of resolved options, as one line for summaries and reports (`irc://a:1, irc://b:2`), secrets redacted. */
export function targetsLabel(o: Pick<LoadOptions, 'protocol' | 'host' | 'port' | 'targets'>, max = 200): string {
  const all = redactTarget(o.targets.length > 0 ? o.targets.join(', ') : targetUrl(o));
  if (all.length <= max) return all;
  const first = redactTarget(o.targets[0] ?? targetUrl(o));
  return `${first} (+${o.targets.length - 1} more)`.slice(0, max);
}

/**
 * `HOST:PORT` (with `protocol`), `PROTO://HOST:PORT`, `PROTO://HOST` (the protocol's default port), or
 * `ws://HOST:PORT/PATH` / `wss://…` (chatpulse lines over a WebSocket; PATH defaults to `/chat/ws`,
 * the port to 80/443). Throws `LoadOptionsError` naming what is wrong.
 */
export function parseTarget(raw: string, protocol: string): Target {
  const bad = (why: string) =>
    new LoadOptionsError(`target '${String(raw).slice(0, 80)}' ${why} (expected HOST:PORT, ${protocolNames().map((p) => `${p}://HOST:PORT`).join(', ')}, ws[s]://HOST:PORT/PATH, wsjson://HOST:PORT/PATH or socketio://HOST:PORT[/NAMESPACE])`);
  if (typeof raw !== 'string' || raw.trim() === '') throw bad('is empty');
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  if (!hasScheme && !/:\d+$/.test(raw.replace(/\?.*$/, ''))) throw bad('has no port');
  let url: URL;
  try {
    url = new URL(hasScheme ? raw : `${protocol}://${raw}`);
  } catch {
    throw bad('is not HOST:PORT');
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const json = scheme === 'wsjson';
  const sio = scheme === 'socketio';
  const ws = json || sio || (WS_SCHEMES as readonly string[]).includes(scheme);
  if (!ws && !protocolNames().includes(scheme)) throw bad(`names an unknown protocol '${scheme}'`);
  if (ws && !json && !sio && protocol !== 'chatpulse') throw bad(`carries chatpulse lines, not ${protocol}`);
  if (url.hostname === '') throw bad('has no host');
  if (url.hash !== '' || url.username !== '' || url.password !== '') throw bad('has a fragment or user');
  // A query: Socket.IO's `?path=` (its Engine.IO path), or what an adapter declares (`params`). `?spec=` is the commands'.
  const query = [...url.searchParams.keys()];
  if (url.searchParams.has('spec')) throw bad('carries ?spec=, which only loadgen and compare --target read');
  const allowed: readonly string[] = sio ? ['path'] : !ws ? (getProtocol(scheme).params ?? []) : [];
  const extra = query.find((k) => !allowed.includes(k));
  if (extra !== undefined || (allowed.length === 0 && url.search !== '')) {
    throw bad(allowed.length > 0 ? `has a query other than ${allowed.map((k) => `?${k}=`).join(', ')}` : 'has a query');
  }
  if (!ws && url.pathname !== '' && url.pathname !== '/') throw bad('has more than a host and port');
  const defaultPort = scheme === 'ws' || json || sio ? 80 : scheme === 'wss' ? 443 : getProtocol(scheme).defaultPort;
  const port = url.port === '' ? defaultPort : Number(url.port);
  if (!isInt(port, 1, 65535)) throw bad('has a port outside 1-65535');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!ws) {
    const params = queryParams(url.search);
    const wrong = getProtocol(scheme).checkParams?.(params) ?? '';
    if (wrong !== '') throw bad(wrong);
    return { protocol: scheme, transport: 'tcp', host, port, path: '', namespace: '', params };
  }
  if (sio) {
    // The URL's path is the namespace, as in socket.io-client's io('http://host:port/admin').
    const enginePath = queryParams(url.search).path ?? DEFAULT_SOCKETIO_PATH;
    if (!/^\/[\x21-\x7e]{0,200}$/.test(enginePath)) throw bad('has a ?path= that is not an absolute URL path');
    const namespace = url.pathname === '' || url.pathname === '/' ? '/' : url.pathname.replace(/\/$/, '');
    if (/[,?#]/.test(namespace)) throw bad('has a namespace with , ? or #');
    return { protocol: 'socketio', transport: 'ws', host, port, path: enginePath, namespace, params: {} };
  }
  // `new URL` gives '/' for no path at all: only a path written out is taken as it is.
  const path = /^wss?:\/\/[^/]*$/i.test(raw) ? DEFAULT_WS_PATH : url.pathname;
  // wsjson: JSON frames over a plain WebSocket, as the `--spec` file describes them.
  if (json) return { protocol: 'wsjson', transport: 'ws', host, port, path: url.pathname || '/', namespace: '', params: {} };
  return { protocol: 'chatpulse', transport: scheme as 'ws' | 'wss', host, port, path, namespace: '', params: {} };
}

/**
 * Which target client `gid` uses: round-robin, but staggered by room so that every room has members
 * on every target (a plain `gid % n` with as many rooms as targets would put each room on one server).
 */
export function targetIndex(gid: number, rooms: number, targets: number): number {
  return ((gid % rooms) + Math.floor(gid / rooms)) % targets;
}
