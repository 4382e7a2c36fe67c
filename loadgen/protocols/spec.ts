/**
 * A protocol spec (`--spec FILE.json`, DESIGN §9 "Targets and protocol specs"): which events an app
 * sends and expects, and where in each event the typed fields sit. Loaded and checked once, in the
 * main thread; the checked object is plain JSON, so it reaches worker threads by structured clone.
 *
 * Extension to DESIGN §9: `send.members` / `receive.members` (a member-list request and its answer)
 * are REQUIRED here. Why: a room message's expected recipients are the members its sender saw when its
 * echo arrived (room-view.ts); a client that joins learns who was there before it only from such a
 * list. Without one every delivery would be a guess, and this tool does not guess loss.
 */

export interface SendTemplate {
  event: string;
  /** String values may hold `{nick}`, `{room}`, `{to}`, `{text}`. */
  data: Record<string, unknown>;
}

export interface ProtocolSpec {
  /** `websocket`: one JSON object per text frame (`wsjson://`); `socketio`: Socket.IO v4 events (`socketio://`). */
  transport: 'websocket' | 'socketio';
  /** websocket: the key of a frame that holds its event name. */
  eventField: string;
  /**
   * socketio: the handshake `auth` object (placeholders as in `data`), sent with the namespace CONNECT.
   * Absent: `{ "nick": "{nick}" }` when there is no `send.login` (the nickname travels there), else none.
   */
  auth?: Record<string, unknown>;
  /** The app sends a sender its own room messages (they then count as deliveries to it). */
  echo: boolean;
  send: {
    /** Absent: the nickname travels in the URL query `?nick=`. */
    login?: SendTemplate;
    join: SendTemplate;
    /** Absent: clients never switch rooms. */
    leave?: SendTemplate;
    say: SendTemplate;
    /** Absent: no private messages are scheduled. */
    pm?: SendTemplate;
    members: SendTemplate;
  };
  /** Event names, and for each typed field the key path (dots for nesting) of its value. */
  receive: {
    loggedIn: { event: string };
    joined: { event: string; room: string; nick: string };
    left: { event: string; room: string; nick: string };
    message: { event: string; room: string; from: string; text: string };
    pm?: { event: string; from: string; text: string };
    /** `kind`: a key whose value names the error (`no_such_user`, `nick_taken`); `nick`: whom it is about. */
    error: { event: string; text: string; kind?: string; nick?: string };
    members: { event: string; room: string; nicks: string };
  };
}

export class SpecError extends Error {
  readonly code = 'CHATPULSE_SPEC';
}

type Fields = Record<string, { required: boolean }>;
const req = { required: true };
const opt = { required: false };

const SEND: Record<keyof ProtocolSpec['send'], boolean> = { login: false, join: true, leave: false, say: true, pm: false, members: true };
const RECEIVE: Record<keyof ProtocolSpec['receive'], Fields> = {
  loggedIn: { event: req },
  joined: { event: req, room: req, nick: req },
  left: { event: req, room: req, nick: req },
  message: { event: req, room: req, from: req, text: req },
  pm: { event: req, from: req, text: req },
  error: { event: req, text: req, kind: opt, nick: opt },
  members: { event: req, room: req, nicks: req },
};
const RECEIVE_REQUIRED: Record<keyof ProtocolSpec['receive'], boolean> = {
  loggedIn: true, joined: true, left: true, message: true, pm: false, error: true, members: true,
};

/**
 * The placeholders each `send` entry must hold: without them the event cannot say what the schedule
 * means (a `say` without `{text}` carries no message to find again, and every delivery reads as lost).
 */
const NEEDS: Record<keyof ProtocolSpec['send'], readonly string[]> = {
  login: ['{nick}'], join: ['{room}'], leave: [], say: ['{text}'], pm: ['{to}', '{text}'], members: [],
};
const KNOWN_PLACEHOLDERS = ['{nick}', '{room}', '{to}', '{text}'];
/** `{name}` in a template string: a placeholder, known or a typo of one. */
const BRACED = /\{[A-Za-z_][A-Za-z0-9_]*\}/g;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every string inside a template value. */
function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (isObject(v)) for (const x of Object.values(v)) stringsIn(x, out);
  return out;
}
/** A key path: names separated by single dots, none empty. */
const KEY_PATH = /^[^.\s]+(\.[^.\s]+)*$/;

/** Parses and checks a spec file's text. Throws `SpecError`: one line, naming the bad field. */
export function loadSpec(text: string, file: string, where = `--spec ${file}`): ProtocolSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SpecError(`${where}: not JSON (${(err as Error).message})`);
  }
  try {
    return checkSpec(raw);
  } catch (err) {
    if (err instanceof SpecError) throw new SpecError(`${where}: ${err.message}`);
    throw err;
  }
}

/** Checks a parsed spec, fills defaults (`eventField` `type`) and returns a plain copy. Idempotent. */
export function checkSpec(raw: unknown): ProtocolSpec {
  const fail = (field: string, why: string): never => {
    throw new SpecError(`${field} ${why}`);
  };
  if (!isObject(raw)) fail('the spec', 'must be a JSON object');
  const s = raw as Record<string, unknown>;
  // A misspelt key is not ignored: `send.sya` would leave `send.say` missing, `send.leve` would quietly
  // stop every room switch.
  const onlyKnown = (o: Record<string, unknown>, known: readonly string[], at: string) => {
    for (const key of Object.keys(o)) {
      if (!known.includes(key)) fail(at === '' ? key : `${at}.${key}`, `is not a spec field (${at === '' ? 'the spec' : at} takes ${known.join(', ')})`);
    }
  };
  if (s.transport === undefined) fail('transport', 'is required');
  if (s.transport !== 'websocket' && s.transport !== 'socketio') fail('transport', `must be "websocket" or "socketio", got ${JSON.stringify(s.transport)}`);
  onlyKnown(s, ['transport', 'eventField', 'auth', 'echo', 'send', 'receive'], '');
  const sio = s.transport === 'socketio';
  // Socket.IO carries the event name beside the payload, not in it: a key for it would mean nothing.
  // ('type', the default, is what a checked spec carries: checking one again must pass.)
  if (sio && s.eventField !== undefined && s.eventField !== 'type') fail('eventField', 'is for transport "websocket" (Socket.IO sends the event name beside the payload)');
  const eventField = s.eventField ?? 'type';
  if (typeof eventField !== 'string' || eventField === '') fail('eventField', 'must be a non-empty string');
  if (s.auth !== undefined && !sio) fail('auth', 'is for transport "socketio" (a WebSocket app takes the nickname as ?nick= when send.login is absent)');
  if (s.auth !== undefined && !isObject(s.auth)) fail('auth', 'must be an object, e.g. {"nick": "{nick}"}');
  if (s.echo === undefined) fail('echo', 'is required');
  if (typeof s.echo !== 'boolean') fail('echo', 'must be true or false');
  if (!isObject(s.send)) fail('send', s.send === undefined ? 'is required' : 'must be an object');
  if (!isObject(s.receive)) fail('receive', s.receive === undefined ? 'is required' : 'must be an object');
  const sendIn = s.send as Record<string, unknown>;
  const receiveIn = s.receive as Record<string, unknown>;
  onlyKnown(sendIn, Object.keys(SEND), 'send');
  onlyKnown(receiveIn, Object.keys(RECEIVE), 'receive');
  const placeholders = (v: unknown, at: string): Set<string> => {
    const found = new Set<string>();
    for (const str of stringsIn(v)) {
      for (const m of str.matchAll(BRACED)) {
        if (!KNOWN_PLACEHOLDERS.includes(m[0])) fail(at, `holds ${m[0]}, which is no placeholder (they are ${KNOWN_PLACEHOLDERS.join(', ')})`);
        found.add(m[0]);
      }
    }
    return found;
  };
  if (s.auth !== undefined) placeholders(s.auth, 'auth');
  const send: Record<string, SendTemplate> = {};
  for (const [name, required] of Object.entries(SEND)) {
    const t = sendIn[name];
    const at = `send.${name}`;
    if (t === undefined) {
      if (required) fail(at, name === 'members' ? 'is required (the member list makes loss exact: see the README)' : 'is required');
      continue;
    }
    if (!isObject(t)) fail(at, 'must be an object {event, data}');
    const tt = t as Record<string, unknown>;
    onlyKnown(tt, ['event', 'data'], at);
    if (typeof tt.event !== 'string' || tt.event === '') fail(`${at}.event`, tt.event === undefined ? 'is required' : 'must be a non-empty string');
    const data = tt.data ?? {};
    if (!isObject(data)) fail(`${at}.data`, 'must be an object');
    if (!sio && Object.hasOwn(data, eventField as string)) fail(`${at}.data.${eventField as string}`, 'would overwrite the event name (eventField)');
    const held = placeholders(data, `${at}.data`);
    for (const need of NEEDS[name as keyof ProtocolSpec['send']]) {
      if (!held.has(need)) fail(`${at}.data`, `must hold ${need} somewhere (it says ${NEEDS[name as keyof ProtocolSpec['send']].join(' and ')} to the app)`);
    }
    send[name] = { event: tt.event as string, data: structuredClone(data) as Record<string, unknown> };
  }
  const receive: Record<string, Record<string, string>> = {};
  for (const [name, fields] of Object.entries(RECEIVE)) {
    const r = receiveIn[name];
    const at = `receive.${name}`;
    if (r === undefined) {
      if (RECEIVE_REQUIRED[name as keyof ProtocolSpec['receive']]) fail(at, 'is required');
      continue;
    }
    if (!isObject(r)) fail(at, 'must be an object');
    onlyKnown(r as Record<string, unknown>, Object.keys(fields), at);
    const out: Record<string, string> = {};
    for (const [key, { required }] of Object.entries(fields)) {
      const v = (r as Record<string, unknown>)[key];
      if (v === undefined) {
        if (required) fail(`${at}.${key}`, 'is required');
        continue;
      }
      if (typeof v !== 'string' || v === '') fail(`${at}.${key}`, 'must be a non-empty string');
      if (key !== 'event' && !KEY_PATH.test(v as string)) fail(`${at}.${key}`, `must be a key path like "user.name", got ${JSON.stringify(v)}`);
      out[key] = v as string;
    }
    receive[name] = out;
  }
  if (send.pm && !receive.pm) fail('receive.pm', 'is required when send.pm is given');
  const names = new Map<string, string>();
  for (const [name, r] of Object.entries(receive)) {
    const ev = r.event as string;
    const prev = names.get(ev);
    if (prev !== undefined) fail(`receive.${name}.event`, `"${ev}" is already receive.${prev}.event`);
    names.set(ev, name);
  }
  return {
    transport: s.transport, eventField: eventField as string, echo: s.echo as boolean,
    ...(s.auth !== undefined && { auth: structuredClone(s.auth) }), send, receive,
  } as unknown as ProtocolSpec;
}
