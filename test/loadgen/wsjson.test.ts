import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec, formatSummary, loadSpec, LoadOptionsError, newProtocolEvent, parseTarget, resolveLoadOptions, runLoad, SpecError, type ProtocolSpec } from '../../loadgen/index.js';
import { compileKeyPath, compileTemplate, specJsonProtocol, textOffset } from '../../loadgen/protocols/spec-json.js';
import { encodePayload } from '../../loadgen/payload.js';
import { killLeftovers, ROOT, runCli } from '../helpers/cli.js';
import { startExampleApp } from '../helpers/example-app.js';
import { tempDir } from '../helpers/temp.js';

const EXAMPLE = path.join(ROOT, 'examples/ws-json-chat');
const readSpec = (name: string): ProtocolSpec => loadSpec(fs.readFileSync(path.join(EXAMPLE, name), 'utf8'), name);

test.after.each(killLeftovers);

// --- units -------------------------------------------------------------------------------------

test('key paths: top level, nested with dots, anything missing or not an object is undefined', () => {
  const frame = { from: 'ann', user: { name: 'bob', tags: { a: 1 } }, n: null };
  assert.is(compileKeyPath('from')(frame), 'ann');
  assert.is(compileKeyPath('user.name')(frame), 'bob');
  assert.is(compileKeyPath('user.tags.a')(frame), 1);
  assert.is(compileKeyPath('user.nope')(frame), undefined);
  assert.is(compileKeyPath('from.x')(frame), undefined, 'a string has no keys');
  assert.is(compileKeyPath('n.x')(frame), undefined);
  assert.is(compileKeyPath('x')(null), undefined);
  assert.is(compileKeyPath('x')([1]), undefined);
});

test('placeholders: replaced in every string value, nested and in arrays; other values untouched', () => {
  const build = compileTemplate({ room: '{room}', who: '{nick}->{to}', body: { text: '{text}', tags: ['{room}', 'x'] }, n: 3, b: true, plain: 'room' });
  const got = build({ nick: 'ann', room: 'r1', to: 'bob', text: 'hi {nick} "q"' });
  assert.equal(got, { room: 'r1', who: 'ann->bob', body: { text: 'hi {nick} "q"', tags: ['r1', 'x'] }, n: 3, b: true, plain: 'room' }, 'values are not re-expanded');
  const s = readSpec('spec.json');
  const session = specJsonProtocol(s).session();
  session.login('ann');
  assert.is(session.say('r1', 'a "b"\n'), `${JSON.stringify({ type: 'say', room: 'r1', text: 'a "b"\n' })}\n`, 'one JSON frame per line');
  assert.is(session.members('r2'), '{"type":"users","room":"r2"}\n');
});

test('the load header is found in the raw frame where the text value holds it; none in plain text', () => {
  const text = encodePayload('ab0cd', 12, 34, 1000, 1001, 60);
  const line = Buffer.from(JSON.stringify({ type: 'message', room: '~1.2.3.4~', from: 'x', text }));
  const at = textOffset(line, text);
  assert.is(line.toString('utf8', at, at + text.length), text, 'a room named like a header is not it');
  assert.is(textOffset(line, 'hello'), line.length);
  assert.is(textOffset(line, '~9.9.9.9~'), line.length);
});

test('frames become events by event name and key paths (alt dialect: nested keys, other names)', () => {
  const a = specJsonProtocol(readSpec('spec-alt.json'));
  assert.ok(a.connectPath, 'no send.login: the nickname goes in the URL');
  assert.is(a.connectPath?.('/chat', 'a b'), '/chat?nick=a%20b');
  const s = a.session();
  assert.is(s.login('me'), '', 'nothing to send');
  const ev = newProtocolEvent();
  const parse = (f: unknown) => {
    s.parse(Buffer.from(typeof f === 'string' ? f : JSON.stringify(f)), ev);
    return ev;
  };
  assert.is(parse({ op: 'ready' }).kind, 'loggedIn');
  assert.equal([parse({ op: 'entered', channel: 'r1', user: { name: 'me' } }).kind, ev.room, ev.nick, ev.self], ['joined', 'r1', 'me', true]);
  assert.equal([parse({ op: 'exited', channel: 'r1', user: { name: 'bob' } }).kind, ev.nick, ev.self], ['left', 'bob', false]);
  assert.equal([parse({ op: 'roster', channel: 'r1', list: ['me', 'bob', 3] }).kind, ev.room, ev.nicks], ['members', 'r1', ['me', 'bob']]);
  const text = encodePayload('ab0cd', 1, 2, 3, 4, 40);
  const raw = JSON.stringify({ op: 'post', channel: 'r1', user: { name: 'me' }, body: { text } });
  assert.equal([parse(raw).kind, ev.self, raw.slice(ev.textStart, ev.textStart + text.length)], ['message', true, text]);
  assert.equal([parse({ op: 'whisper', user: { name: 'bob' }, body: { text } }).kind, ev.self], ['pm', false]);
  assert.equal([parse({ op: 'fail', code: 'no_such_user', user: { name: 'zed' }, body: { text: 'no' } }).kind, ev.errorKind, ev.nick], ['error', 'no_such_user', 'zed']);
  assert.is(parse({ op: 'fail', code: 'Weird Code!' }).errorKind, 'app_error', 'a kind that is no snake_case word is not trusted');
  assert.is(parse({ op: 'typing' }).kind, 'unknown');
  assert.is(parse({ type: 'message' }).kind, 'unknown', 'the event name is under eventField');
  assert.is(parse('not json').kind, 'unknown');
  assert.is(parse('[1,2]').kind, 'unknown');
});

// --- spec validation ----------------------------------------------------------------------------

const good = () => JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'spec.json'), 'utf8'));

test('bad specs: one line naming the field', () => {
  const cases: [(s: any) => unknown, RegExp][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    [(s) => { delete s.receive.message.room; }, /^receive\.message\.room is required$/],
    [(s) => { s.transport = 'carrier-pigeon'; }, /^transport must be "websocket" or "socketio"/],
    [(s) => { delete s.transport; }, /^transport is required$/],
    [(s) => { s.echo = 'yes'; }, /^echo must be true or false$/],
    [(s) => { s.send.join.event = 3; }, /^send\.join\.event must be a non-empty string$/],
    [(s) => { delete s.send.members; }, /^send\.members is required \(the member list/],
    [(s) => { delete s.receive.members; }, /^receive\.members is required$/],
    [(s) => { s.receive.message.from = 'user..name'; }, /^receive\.message\.from must be a key path/],
    [(s) => { s.send.say.data = []; }, /^send\.say\.data must be an object$/],
    [(s) => { s.send.say.data.type = 'x'; }, /^send\.say\.data\.type would overwrite the event name/],
    [(s) => { s.receive.pm.event = 'message'; }, /^receive\.message\.event "message" is already receive\.pm\.event|^receive\.pm\.event "message" is already receive\.message\.event/],
    [(s) => { delete s.receive.pm; }, /^receive\.pm is required when send\.pm is given$/],
    [(s) => { s.eventField = ''; }, /^eventField must be a non-empty string$/],
    // A typo is named, never ignored (a misspelt send.leave would stop every room switch unseen).
    [(s) => { s.send.sya = s.send.say; delete s.send.say; }, /^send\.sya is not a spec field \(send takes login, join, leave, say, pm, members\)$/],
    [(s) => { s.bogus = 1; }, /^bogus is not a spec field \(the spec takes transport, eventField, auth, echo, send, receive\)$/],
    [(s) => { s.receive.message.txt = 'text'; }, /^receive\.message\.txt is not a spec field \(receive\.message takes event, room, from, text\)$/],
    [(s) => { s.send.join.dta = {}; }, /^send\.join\.dta is not a spec field \(send\.join takes event, data\)$/],
    // An unknown placeholder is sent as typed: every message would read as lost (99 % in the audit).
    [(s) => { s.send.say.data.text = '{tex}'; }, /^send\.say\.data holds \{tex\}, which is no placeholder \(they are \{nick\}, \{room\}, \{to\}, \{text\}\)$/],
    [(s) => { s.send.say.data.text = 'hello'; }, /^send\.say\.data must hold \{text\} somewhere/],
    [(s) => { s.send.pm.data.to = 'bob'; }, /^send\.pm\.data must hold \{to\} somewhere \(it says \{to\} and \{text\} to the app\)$/],
    [(s) => { s.send.join.data = {}; }, /^send\.join\.data must hold \{room\} somewhere/],
  ];
  for (const [mutate, re] of cases) {
    const s = good();
    mutate(s);
    try {
      checkSpec(s);
      assert.unreachable(`accepted: ${re}`);
    } catch (err) {
      assert.instance(err, SpecError);
      assert.match((err as Error).message, re);
      assert.not.match((err as Error).message, /\n/);
    }
  }
  assert.equal(checkSpec(good()).eventField, 'type', 'the example is valid');
  const noType = good();
  delete noType.eventField;
  assert.is(checkSpec(noType).eventField, 'type', 'eventField defaults to type');
  assert.throws(() => loadSpec('{nope', 'x.json'), /^--spec x\.json: not JSON/);
  assert.throws(() => loadSpec('[]', 'x.json'), /^--spec x\.json: the spec must be a JSON object$/);
});

test('wsjson:// targets: ws transport, path kept, --spec required, pm/switch off when the app has no pm/leave', () => {
  assert.equal(parseTarget('wsjson://127.0.0.1:3001/chat', 'chatpulse'), { protocol: 'wsjson', transport: 'ws', host: '127.0.0.1', port: 3001, path: '/chat', namespace: '', params: {} });
  assert.equal(parseTarget('wsjson://h', 'chatpulse'), { protocol: 'wsjson', transport: 'ws', host: 'h', port: 80, path: '/', namespace: '', params: {} });
  const spec = readSpec('spec.json');
  const o = resolveLoadOptions({ targets: ['wsjson://127.0.0.1:3001/chat'], spec, pm: 0.1, switch: 0.1 });
  assert.equal([o.targets, o.protocol, o.pm, o.switch], [['wsjson://127.0.0.1:3001/chat'], 'wsjson', 0.1, 0.1]);
  assert.equal(resolveLoadOptions(o).targets, o.targets, 'resolving twice (workers) keeps it');
  const bare = good();
  delete bare.send.pm;
  delete bare.send.leave;
  const b = resolveLoadOptions({ targets: ['wsjson://h:1/c'], spec: bare, pm: 0.1, switch: 0.1 });
  assert.equal([b.pm, b.switch], [0, 0]);
  assert.throws(() => resolveLoadOptions({ targets: ['wsjson://h:1/c'] }), (e: Error) => e instanceof LoadOptionsError && /^spec is required with a wsjson:\/\/ target/.test(e.message));
  assert.throws(() => resolveLoadOptions({ targets: ['h:1'], spec }), /spec is for wsjson:\/\/ and socketio:\/\/ targets, not chatpulse/);
  assert.throws(() => resolveLoadOptions({ targets: ['wsjson://h:1/c', 'h:2'], spec }), /one protocol/);
});

test('CLI: a bad --spec or none exits 2 with one line naming the problem', async () => {
  const { dir, cleanup } = tempDir('wsjson-spec');
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const missing = good();
  delete missing.receive.message.room;
  const wrongType = good();
  wrongType.echo = 'yes';
  const transport = good();
  transport.transport = 'socketio';
  const cases: [string[], RegExp][] = [
    [['--spec', write('missing.json', JSON.stringify(missing))], /--spec .*missing\.json: receive\.message\.room is required/],
    [['--spec', write('type.json', JSON.stringify(wrongType))], /--spec .*type\.json: echo must be true or false/],
    [['--spec', write('transport.json', JSON.stringify(transport))], /spec: transport "socketio" is for socketio:\/\/ targets, not wsjson:\/\//],
    [['--spec', write('notjson.json', 'transport: websocket')], /--spec .*notjson\.json: not JSON/],
    [['--spec', path.join(dir, 'absent.json')], /--spec: cannot read .*ENOENT/],
    [[], /spec is required with a wsjson:\/\/ target/],
  ];
  for (const [args, re] of cases) {
    const p = runCli(['loadgen', '--target', 'wsjson://127.0.0.1:9/chat', '--duration', '1s', ...args]);
    const { code } = await p.exited(20_000);
    assert.is(code, 2, `${args.join(' ')}: ${p.stderr()}`);
    const lines = p.stderr().trim().split('\n').filter((l) => !/^\s*$/.test(l) && !/--help/.test(l));
    assert.is(lines.length, 1, p.stderr());
    assert.match(lines[0] as string, re);
  }
  cleanup();
});

// --- against the example app --------------------------------------------------------------------

const startApp = (...flags: string[]) => startExampleApp('ws-json-chat', flags);

const load = { clients: 40, rooms: 3, rate: 4, duration: 2500, ramp: 300, pm: 0.1, switch: 0.1, users: 0.05, workers: 1, interval: 500, lossTimeout: 1500, seed: 5 };

for (const [dialect, specFile, flags] of [['plain', 'spec.json', []], ['alt (nested keys, other names, nick in the URL)', 'spec-alt.json', ['--dialect', 'alt']]] as const) {
  test(`example app, ${dialect}: 40 clients switching rooms and PMs, lost 0, unexpected 0, received = what the app delivered`, async () => {
    const app = await startApp(...flags);
    try {
      const s = await runLoad({ ...load, targets: [app.url], spec: readSpec(specFile) });
      const m = s.messages;
      const did = await app.stop();
      assert.ok(m.expected > 500, `enough deliveries (${m.expected})`);
      assert.equal([m.lost, m.unexpected, m.ambiguous, m.duplicated], [0, 0, 0, 0], JSON.stringify(m));
      assert.is(m.received, m.expected);
      assert.is(m.received, did.delivered, 'received = what the app says it delivered');
      assert.ok(m.pm > 0 && s.commands.join.count > 40, 'PMs sent and rooms switched');
      assert.equal(s.errors, {}, 'no errors, no unknown events');
      assert.match(formatSummary(s), /\n {2}ws handshake /, 'the upgrade is named as such');
    } finally {
      await app.stop().catch(() => undefined);
    }
  });
}

test('example app dropping every 10th delivery: loss 10 % ± 1 %, every drop the app made counted', async () => {
  const app = await startApp('--drop-every', '10');
  try {
    // No room switching: a dropped echo then leaves nothing undecidable but joins during the ramp.
    const s = await runLoad({ ...load, switch: 0, lossTimeout: 1000, targets: [app.url], spec: readSpec('spec.json') });
    const m = s.messages;
    const did = await app.stop();
    assert.ok(m.expected > 500, `enough deliveries (${m.expected})`);
    assert.ok(m.lossPercent >= 9 && m.lossPercent <= 11, `loss ${m.lossPercent}%`);
    assert.is(m.unexpected, 0);
    assert.ok(m.lost <= did.dropped && did.dropped <= m.lost + m.ambiguous, `lost ${m.lost}, ambiguous ${m.ambiguous}, app dropped ${did.dropped}`);
    assert.is(m.received, did.delivered);
  } finally {
    await app.stop().catch(() => undefined);
  }
});

test.run();
