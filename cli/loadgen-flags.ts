import { defaultLoadOptions, defaultWorkers, parseTarget, parseThreshold, protocolNames, splitTargetSpec, type LoadOptionsError } from '../loadgen/index.js';
import { flag, flagName, UsageError } from './flags.js';

const d = defaultLoadOptions;

/** `chatpulse loadgen` flags (DESIGN §1, §9); `chatpulse demo` and `compare` reuse them. */
export const loadgenFlags = {
  host: flag.string(d.host, 'chat server host'),
  port: flag.int(d.port, 'chat server port', { min: 1, max: 65535 }),
  protocol: flag.choice(d.protocol, [...protocolNames(), 'wsjson', 'socketio'], 'protocol adapter (for --host/--port and HOST:PORT targets; wsjson and socketio take --spec)'),
  target: flag.list(
    `server to load, repeatable: HOST:PORT, ${protocolNames().map((p) => `${p}://HOST:PORT`).join(', ')} (xmpp://HOST:PORT?muc=conference.DOMAIN&domain=DOMAIN: MUC rooms, SASL ANONYMOUS or &auth=plain&password=…), ws://HOST:PORT/PATH, wss://… (chatpulse lines, one per WebSocket text frame; PATH defaults to /chat/ws; wss takes --tls-ca/--tls-insecure), wsjson://HOST:PORT/PATH (JSON frames) or socketio://HOST:PORT[/NAMESPACE][?path=/socket.io/] (Socket.IO v4 events), both described by --spec or the target's own ?spec=FILE, over TLS with --tls; mqtt:// takes ?qos=0|1 (QoS, default 0), ?v=4|5 (MQTT 3.1.1 or 5, default 4) and ?prefix= (topic prefix, default chat/); several: clients spread round-robin, one delivery ledger, one protocol (overrides --host/--port)`,
    (raw, name) => {
      try {
        parseTarget(splitTargetSpec(raw).url, 'chatpulse');
      } catch (err) {
        throw new UsageError(`--${name}: ${(err as Error).message}`);
      }
      return raw;
    },
  ),
  spec: flag.string('', 'JSON file describing the app a wsjson:// or socketio:// target speaks: its events and payload keys (README "Load-testing your own WebSocket or Socket.IO server")'),
  clients: flag.int(d.clients, 'virtual clients', { min: 1, max: 100_000 }),
  rooms: flag.int(d.rooms, 'rooms the clients spread over (room1…roomN)', { min: 1, max: 10_000 }),
  rate: flag.number(d.rate, 'actions per second per client (Poisson, open loop)', { min: 0, max: 1000 }),
  duration: flag.duration(d.duration, 'how long the schedule runs', { min: 1, max: 7 * 86_400_000 }),
  ramp: {
    ...flag.duration(-1, 'clients connect evenly over this long (part of the duration)', { min: 0 }),
    defaultLabel: `${d.ramp / 1000}s, at most a fifth of --duration`,
  },
  pm: flag.number(d.pm, 'share of actions that are private messages', { min: 0, max: 1 }),
  switch: flag.number(d.switch, 'share of actions that switch room', { min: 0, max: 1 }),
  users: flag.number(d.users, 'share of actions that ask /users', { min: 0, max: 1 }),
  size: flag.int(d.size, 'message text length in bytes (the ~50-byte load header is never cut: a smaller size sends the header alone)', { min: 1, max: 4000 }),
  seed: flag.int(d.seed, 'PRNG seed: same seed, same schedule', { min: 0, max: 2 ** 32 - 1 }),
  workers: { ...flag.int(d.workers, 'worker threads', { min: 1, max: 64 }), defaultLabel: `cores − 1 = ${defaultWorkers()}` },
  inflight: flag.int(d.inflight, 'own room messages awaiting their echo before due ones wait (0 = none: a truly open schedule)', { min: 0 }),
  lossTimeout: flag.duration(d.lossTimeout, 'a delivery not seen this long after its write is lost', { min: 100, max: 600_000 }),
  interval: flag.duration(d.interval, 'tick: progress, reports, threshold windows', { min: 50, max: 60_000 }),
  scenario: flag.string('', 'JSON file of phases (ramp, steady, spike, disconnect) instead of --ramp/--rate/--duration'),
  threshold: flag.list("pass/fail rule, repeatable: 'p99<50ms', 'loss<0.1%', 'errors<10', '… over 10s'; loss and latency rules fail when messages were never written (unsent)", (raw, name) => {
    try {
      parseThreshold(raw);
    } catch (err) {
      throw new UsageError(`--${name}: ${(err as Error).message}`);
    }
    return raw;
  }),
  json: flag.bool(false, 'print the summary as one JSON record on stdout (progress and table go to stderr)'),
  out: flag.string('', 'write the run into DIR (created if missing): summary.json (the --json record), summary.md (the table in Markdown) and report.html (one self-contained page: configuration, delivery accounting, thresholds, latency over time, the percentile spectrum, generator health; opens offline)', { maxLength: 4096 }),
  report: flag.string('', 'send per-tick stats to ws://host:port/ingest'),
  reportToken: flag.string('', "the dashboard's token for --report (also $CHATPULSE_TOKEN); needed when it is not on loopback", { maxLength: 256 }),
  tls: flag.bool(false, 'connect to the chat server over TLS (a wsjson:// or socketio:// app: over wss); connect and handshake times are measured apart'),
  tlsInsecure: flag.bool(false, 'with --tls or wss://: accept any certificate (self-signed test servers; encrypts, verifies nothing)'),
  tlsCa: flag.string('', "with --tls or wss://: trust this PEM certificate too (e.g. the server's self-signed one)"),
  metricsPort: { ...flag.int(-1, "serve the loadgen's own /metrics on 127.0.0.1:N (0 = any free port)", { min: 0, max: 65535 }), defaultLabel: 'off' },
  label: flag.string(d.label, 'who this generator is in reports', { maxLength: 100 }),
  nickPrefix: {
    ...flag.string(d.nickPrefix, 'nicknames are <prefix><index>; new each run by default, so a second run within the server\'s --grace is not put back into the first one\'s rooms. It also marks this run\'s members and messages: runs at once need different prefixes', { maxLength: 20 }),
    defaultLabel: "'lg' + 3 random letters",
  },
};

/**
 * A load option refused after parsing (`nickPrefix must be …`), said with the flag the user typed
 * (`--nick-prefix must be …`).
 */
export function loadOptionsUsage(err: LoadOptionsError): UsageError {
  const option = /^[a-z][A-Za-z]*/.exec(err.message)?.[0];
  return new UsageError(option !== undefined && Object.hasOwn(loadgenFlags, option) ? `--${flagName(option)}${err.message.slice(option.length)}` : err.message);
}
