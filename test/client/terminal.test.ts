import path from 'node:path';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { nickColor } from '../../client/index.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { BIN, startServerProcess } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { tempDir } from '../helpers/temp.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { findTool, needing } from '../helpers/require-tool.js';

const test = needing(uvuTest, findTool('tmux', 'tmux'));
let server: TestServer;
const terminals: TmuxTerminal[] = [];

/** The real client in a real pty; the shell line after it shows its exit code. */
function client(port: number, args: string[], env = 'env -u NO_COLOR'): TmuxTerminal {
  const cmd = `${env} '${process.execPath}' '${BIN}' client --port ${port} ${args.join(' ')}; echo "[exit $?]"; sleep 60`;
  const t = new TmuxTerminal(`sh -c ${JSON.stringify(cmd)}`, { cols: 100, rows: 30 });
  terminals.push(t);
  return t;
}

test.before(async () => {
  server = await startTestServer();
});
test.after(async () => {
  for (const t of terminals) t.close();
  await server.stop();
});

const ESC = '\x1b';

test('on a TTY: each nickname in its own stable colour, PMs magenta, errors red, system lines dim', async () => {
  const t = client(server.port, ['--nick', 'ann']);
  await t.waitFor(/^#main>/m);
  const bob = await LineClient.login(server.port, 'bob');
  bob.send('hello ann');
  bob.send('/pm ann psst');
  t.type('/pm nobody x');
  t.keys('Enter');
  await t.waitFor(/! no such user 'nobody'/);
  await t.waitFor(/\[PM from bob\] psst/);
  const screen = t.screen(true);
  assert.ok(screen.includes(`${ESC}[${nickColor('bob')}mbob`), `bob in colour ${nickColor('bob')}:\n${JSON.stringify(screen)}`);
  assert.match(screen, new RegExp(`${ESC}\\[35m\\[PM from ${ESC}\\[1mbob`));
  assert.match(screen, new RegExp(`${ESC}\\[31m! no such user`));
  assert.match(screen, new RegExp(`${ESC}\\[2m(${ESC}\\[[0-9;]*m)*\\* `), 'system lines dim');
  bob.close();
});

test('NO_COLOR: the same lines with no colour at all', async () => {
  const t = client(server.port, ['--nick', 'plain'], 'env NO_COLOR=1');
  await t.waitFor(/^#main>/m);
  const bob = await LineClient.login(server.port, 'bob2');
  bob.send('hello plain');
  bob.send('/pm plain psst');
  await t.waitFor(/\[PM from bob2\] psst/);
  const screen = t.screen(true);
  assert.ok(screen.includes('[main] bob2: hello plain'));
  assert.not.ok(screen.includes(ESC), `no escape sequences:\n${JSON.stringify(screen)}`);
  bob.close();
});

test('typing survives incoming lines: the half-typed line is redrawn under them and sent whole', async () => {
  const t = client(server.port, ['--nick', 'typist']);
  await t.waitFor(/^#main>/m);
  t.type('/join dev');
  t.keys('Enter');
  await t.waitFor(/^#dev>/m);
  const chatter = await LineClient.login(server.port, 'chatter');
  await chatter.ask('/join dev', '* chatter joined #dev');
  t.type('half of my sen');
  await t.waitFor(/#dev> half of my sen/);
  for (let i = 1; i <= 5; i++) chatter.send(`interruption ${i}`);
  await t.waitFor(/interruption 5/);
  const lines = t.lines().filter((l) => !l.startsWith('[exit'));
  assert.is(lines[lines.length - 1], '#dev> half of my sen', `prompt and input last:\n${lines.join('\n')}`);
  const i1 = lines.findIndex((l) => l.endsWith('interruption 1'));
  assert.ok(i1 >= 0 && lines.slice(i1, i1 + 5).every((l, k) => l === `[dev] chatter: interruption ${k + 1}`), lines.join('\n'));
  t.type('tence');
  t.keys('Enter');
  await chatter.waitFor('[dev] typist: half of my sentence');
  chatter.close();
});

test('Ctrl-D and /quit exit 0', async () => {
  const a = client(server.port, ['--nick', 'leaver1']);
  await a.waitFor(/^#main>/m);
  a.keys('C-d');
  await a.waitFor(/\[exit 0\]/);
  const b = client(server.port, ['--nick', 'leaver2']);
  await b.waitFor(/^#main>/m);
  b.type('/quit');
  b.keys('Enter');
  await b.waitFor(/\[exit 0\]/);
});

test('server killed (-9) and started again on the same port and db: the client comes back to its rooms', async () => {
  const tmp = tempDir();
  const db = path.join(tmp.dir, 'chat.db');
  let proc = await startServerProcess(['--db', db, '--results-dir', tmp.dir]);
  const port = proc.chatPort;
  try {
    const t = client(port, ['--nick', 'phoenix']);
    await t.waitFor(/^#main>/m);
    t.type('/join dev');
    t.keys('Enter');
    t.type('/join ops');
    t.keys('Enter');
    await t.waitFor(/^#ops>/m);
    proc.proc.child.kill('SIGKILL');
    await proc.proc.exited();
    await t.waitFor(/disconnected — retrying in \d+\.\ds/);
    proc = await startServerProcess(['--db', db, '--results-dir', tmp.dir, '--port', String(port)]);
    await t.waitFor(/Welcome back, phoenix\. Rooms restored: #main, #dev, #ops; active room: #ops/, 15_000);
    await t.waitFor(/^#ops>$/m);
    const watcher = await LineClient.login(port, 'watcher');
    await watcher.ask('/join ops', '* watcher joined #ops');
    t.type('I am back');
    t.keys('Enter');
    await watcher.waitFor('[ops] phoenix: I am back');
    watcher.close();
  } finally {
    proc.proc.child.kill('SIGTERM');
    await proc.proc.exited(6000).catch(() => proc.proc.child.kill('SIGKILL'));
    tmp.cleanup();
  }
});

test.run();
