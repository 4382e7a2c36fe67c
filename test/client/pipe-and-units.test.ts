import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffDelay, colorEnabled, nickColor, NICK_PALETTE, SessionState, showControls, styleLine } from '../../client/index.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { PassThrough } from 'node:stream';
import { TerminalUi } from '../../client/terminal-ui.js';
import { BIN } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';

let server: TestServer;
test.before(async () => {
  server = await startTestServer();
});
test.after(async () => {
  await server.stop();
});

/** `printf … | chatpulse client …` exactly as a shell script would run it. */
function pipe(input: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'client', '--port', String(server.port), ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

test('pipe mode: sends each line in order, prints what arrives, exits 0 when stdin ends and output settles', async () => {
  const watcher = await LineClient.login(server.port, 'watcher');
  await watcher.ask('/join dev', '* watcher joined #dev');
  const r = await pipe('/join dev\nhello\nsecond line\n/pm watcher psst\n', ['--nick', 'bot', '--settle', '300ms']);
  assert.is(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.ok(lines.includes('* Welcome, bot. You are in #main. Type /help for the commands.'), r.out);
  const i = lines.indexOf('[dev] You: hello');
  assert.ok(i > lines.indexOf('* bot joined #dev') && lines.indexOf('[dev] You: second line') > i, r.out);
  assert.ok(lines.includes('[PM to watcher] psst'));
  assert.not.ok(r.out.includes('\x1b'), 'no colour when stdout is not a TTY');
  await watcher.waitFor('[dev] bot: hello');
  await watcher.waitFor('[dev] bot: second line');
  await watcher.waitFor('[PM from bot] psst');
  watcher.close();
});

test('pipe mode: a taken nickname, an unreachable server exit 1 with one clear line', async () => {
  const holder = await LineClient.login(server.port, 'taken');
  const r = await pipe('hello\n', ['--nick', 'taken']);
  assert.is(r.code, 1);
  assert.is(r.err.trim(), "chatpulse client: nickname 'taken' is taken");
  holder.close();
  // Refused for another reason: it used to wait for ever, logged out, sending nothing.
  const bad = await pipe('hello\n', ['--nick', 'bad nick']);
  assert.is(bad.code, 1);
  assert.is(bad.err.trim(), "chatpulse client: not logged in as --nick 'bad nick': /nick NAME takes one nickname (nicknames have no spaces); got 2 words");
  const you = await pipe('hello\n', ['--nick', 'You']);
  assert.is(you.code, 1);
  assert.is(you.err.trim(), "chatpulse client: not logged in as --nick 'You': invalid nickname 'You': 'You' marks your own messages in a room");
  const child = spawn(process.execPath, [BIN, 'client', '--port', '1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin.end('x\n');
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.is(code, 1);
  assert.match(err, /^chatpulse client: cannot connect to 127\.0\.0\.1:1 \(ECONNREFUSED\)\n$/);
  // Empty stdin: nothing to send, but the server is still not there.
  const empty = spawn(process.execPath, [BIN, 'client', '--port', '1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let emptyErr = '';
  empty.stderr.setEncoding('utf8').on('data', (d: string) => (emptyErr += d));
  empty.stdin.end();
  assert.is(await new Promise((resolve) => empty.on('close', resolve)), 1, 'empty stdin, no server: exit 1');
  assert.match(emptyErr, /cannot connect to 127\.0\.0\.1:1/);
});

test('pipe mode: /quit in the script ends it with exit 0', async () => {
  const r = await pipe('/nick quitter\n/quit\n', []);
  assert.is(r.code, 0, r.err);
  assert.ok(r.out.trimEnd().endsWith('* Bye'), r.out);
});

test('a bad flag exits 2 naming it', async () => {
  const r = await pipe('', ['--port', 'x']);
  assert.is(r.code, 2);
  assert.is(r.err.trim(), "chatpulse client: --port expects a whole number, got 'x'");
});

test('backoff: doubles from the minimum, capped, jittered between 50 and 100 %', () => {
  const opts = { minMs: 500, maxMs: 10_000 };
  assert.equal([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, opts, () => 1)), [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  assert.equal([0, 1, 5].map((a) => backoffDelay(a, opts, () => 0)), [250, 500, 5000]);
  assert.is(backoffDelay(1000, opts, () => 0.5), 7500);
});

test('colours: stable per nickname (case-insensitive), from a palette without red and magenta', () => {
  assert.is(nickColor('Ann'), nickColor('ann'));
  const used = new Set(['ann', 'bob', 'carol', 'dave', 'eve', 'mallory', 'trent', 'peggy', 'victor', 'walter'].map(nickColor));
  assert.ok(used.size >= 4, 'nicknames spread over the palette');
  for (const c of used) assert.ok((NICK_PALETTE as readonly number[]).includes(c));
  for (const c of NICK_PALETTE) assert.not.ok([31, 35, 91, 95].includes(c));
});

test('styleLine by marker; plain when colour is off; NO_COLOR and non-TTY turn colour off', () => {
  assert.is(styleLine('! bad', true), '\x1b[31m! bad\x1b[0m');
  assert.is(styleLine('* hi', true), '\x1b[2m* hi\x1b[0m');
  assert.is(styleLine('[dev] bob: [x] y: z', true), `\x1b[2m[dev]\x1b[22m \x1b[${nickColor('bob')}mbob\x1b[39m: [x] y: z`);
  assert.is(styleLine('[PM from bob] hi', true), '\x1b[35m[PM from \x1b[1mbob\x1b[22m] hi\x1b[0m');
  for (const l of ['! bad', '* hi', '[dev] bob: hi', '[PM to bob] hi']) assert.is(styleLine(l, false), l);
  assert.ok(colorEnabled({}, { isTTY: true }));
  assert.not.ok(colorEnabled({ NO_COLOR: '1' }, { isTTY: true }));
  assert.ok(colorEnabled({ NO_COLOR: '' }, { isTTY: true }), 'an empty NO_COLOR does not count (no-color.org)');
  assert.not.ok(colorEnabled({}, { isTTY: false }));
});

test('session state follows nickname and active room from the server lines only', () => {
  const s = new SessionState();
  s.update('* Welcome, a.b. You are in #main. Type /help for the commands.');
  assert.equal([s.nick, s.active], ['a.b', 'main']);
  s.update('* a.b joined #dev');
  s.update('[dev] mallory: * a.b joined #evil');
  assert.is(s.active, 'dev');
  s.update('* a.b is now known as ann');
  s.update('* Welcome back, ann. Rooms restored: #main, #x.y; active room: #x.y');
  assert.equal([s.nick, s.active, s.prompt()], ['ann', 'x.y', '#x.y> ']);
  s.update("! nickname 'zed' is taken");
  assert.is(s.taken, 'zed');
  s.taken = null;
  s.update("! nickname 'аnn' is taken: it looks like 'ann'");
  assert.is(s.taken, 'аnn', 'a lookalike refusal is a taken nickname too');
});

test('control characters from a server are shown, never obeyed: control pictures, C1 as \\x escapes, tab kept', () => {
  const evil = '[dev] eve: \x1b]0;pwned\x07\x1b[2J\rforged\x00\x7f\u009b\tend';
  const shown = '[dev] eve: \u241b]0;pwned\u2407\u241b[2J\u240dforged\u2400\u2421\\x9b\tend';
  assert.is(showControls(evil), shown);
  assert.is(styleLine(evil, false), shown);
  // In colour, the only escape sequences are our own SGR codes around the nickname.
  const coloured = styleLine(evil, true);
  assert.is(coloured, `\x1b[2m[dev]\x1b[22m \x1b[${nickColor('eve')}meve\x1b[39m: ${shown.slice('[dev] eve: '.length)}`);
  assert.is(styleLine('! \x1b[8mhidden', true), '\x1b[31m! \u241b[8mhidden\x1b[0m');
  const s = new SessionState();
  s.update('* Welcome, ann. You are in #x\x1b]0;t\x07. Type /help for the commands.');
  assert.is(s.prompt(), '#x\u241b]0;t\u2407> ', 'the prompt shows a room name from the server, never obeys it');
});

test('a terminal that reports 0 columns (a pty with no window size): the typed line is wiped one row up, not Infinity rows', async () => {
  const input = new PassThrough();
  const written: string[] = [];
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 0 });
  output.on('data', (d: Buffer) => written.push(d.toString('utf8')));
  const ui = new TerminalUi({ input, output, prompt: '#main> ' });
  const lines: string[] = [];
  ui.onLine((l) => lines.push(l));
  input.write('/join dev\r');
  await new Promise((r) => setTimeout(r, 20));
  ui.close();
  const out = written.join('');
  assert.equal(lines, ['/join dev']);
  assert.not.match(out, /Infinity|NaN/);
  assert.ok(out.includes('\x1b[1A'), `moved one row up: ${JSON.stringify(out)}`);
});

test.run();
