import net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatEventMap } from '../../server/index.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { LineClient, sleep } from '../helpers/line-client.js';

let srv: TestServer;
const clients: LineClient[] = [];
let disconnects: ChatEventMap['disconnect'][] = [];
let bytesIn = 0;

function withServer(name: string, opts: Parameters<typeof startTestServer>[0]) {
  const s = suite(name);
  s.before.each(async () => {
    srv = await startTestServer(opts);
    disconnects = [];
    bytesIn = 0;
    srv.events.on('disconnect', (e) => disconnects.push(e));
    srv.events.on('flush', (e) => (bytesIn += e.bytesIn));
  });
  s.after.each(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv.stop();
  });
  return s;
}

/** Like `nc`: when the server ends its side, this client keeps its own side open and can still write. */
function connectHalfOpen(port: number): Promise<LineClient> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      const c = new LineClient(s);
      clients.push(c);
      resolve(c);
    });
    s.once('error', reject);
  });
}

async function login(nick: string) {
  const c = await LineClient.login(srv.port, nick);
  clients.push(c);
  return c;
}

// A long linger here, so that the lines sent after /quit surely reach the server (and are ignored).
const quit = withServer('/quit', { quitLinger: 60_000 });

quit('/quit with the write half kept open: rooms left and nickname freed at once, later lines ignored', async () => {
  const bob = await login('bob');
  const ann = await connectHalfOpen(srv.port);
  await ann.ask('/nick ann', /^\* Welcome, ann\./);
  await ann.ask('/join dev', '* ann joined #dev');
  await bob.ask('/join dev', '* bob joined #dev');
  await ann.waitFor('* bob joined #dev');

  const mark = bob.lines.length;
  await ann.ask('/quit', '* Bye');
  // Seen by the others while ann's side of the connection is still open.
  await bob.waitFor('* ann left #dev', 3000, mark);
  await bob.waitFor('* ann left #main', 3000, mark);
  assert.is(await bob.ask('/users dev', /^\* users in/), '* users in #dev (1): bob');
  assert.not.ok(ann.closed, 'the client kept its side open');

  // Lines sent after /quit: none may be processed.
  ann.send('a line after quit');
  ann.send('/pm bob boo');
  ann.send('/nick annie');
  ann.send('/join elsewhere');

  // The nickname is free for someone else at once (and its rooms come back within --grace).
  const again = await LineClient.connect(srv.port);
  clients.push(again);
  await again.waitFor('* Welcome to chatpulse. Choose a nickname with /nick NAME');
  assert.is(await again.ask('/nick ann', /^(\* Welcome|!)/), '* Welcome back, ann. Rooms restored: #main, #dev; active room: #dev');

  // Barrier: the server has read every byte every client wrote (flush events report bytes read).
  const written = () => [bob, ann, again].reduce((n, c) => n + c.socket.bytesWritten, 0);
  for (let i = 0; i < 20 && bytesIn < written(); i++) {
    await bob.ask('/rooms', /^\* rooms/);
    await sleep(50);
  }
  assert.ok(bytesIn >= written(), `server read ${bytesIn} of ${written()} bytes`);

  const after = bob.lines.slice(mark);
  assert.not.ok(after.some((l) => l.includes('a line after quit')), after.join('\n'));
  assert.not.ok(after.some((l) => l.includes('boo')), 'no PM from the ghost');
  assert.not.ok(after.some((l) => l.includes('annie')), 'no rename by the ghost');
  assert.not.ok(ann.lines.some((l) => l.includes('a line after quit') || l.startsWith('[PM to')), ann.lines.join('\n'));
  assert.is(await bob.ask('/rooms', /^\* rooms/), '* rooms (2): dev (2), main (2)');
  assert.equal(disconnects.map((d) => [d.nick, d.reason]), [['ann', 'quit']]);
});

const linger = withServer('/quit linger', { quitLinger: 200 });

linger('/quit with the write half kept open: the server closes fully after --quit-linger', async () => {
  const ann = await connectHalfOpen(srv.port);
  await ann.ask('/nick ann', /^\* Welcome, ann\./);
  await ann.ask('/quit', '* Bye');
  assert.not.ok(ann.closed, 'the client kept its side open');
  // Having seen the server's FIN already, the client learns of the close when a write is refused,
  // which happens once the server destroys the lingering connection; the bound only ends a failing test.
  for (let i = 0; i < 250 && !ann.closed; i++) {
    ann.send('anyone?');
    await sleep(20);
  }
  assert.ok(ann.closed, 'the server closed the connection fully');
});

const timeouts = withServer('timeouts', { loginTimeout: 300, lineTimeout: 300 });

timeouts('--login-timeout: a connection that never picks a nickname is told and closed; one that did stays', async () => {
  const named = await login('ann');
  const idle = await LineClient.connect(srv.port);
  clients.push(idle);
  await idle.waitFor('* Welcome to chatpulse. Choose a nickname with /nick NAME');
  assert.is(await idle.waitFor(/^!/, 5000), '! no nickname after 300ms (login timeout); closing the connection');
  await idle.waitClosed();
  assert.equal(disconnects.map((d) => [d.nick, d.reason]), [[null, 'login_timeout']]);
  await named.ask('/rooms', /^\* rooms/);
  assert.not.ok(named.closed);
});

timeouts('--line-timeout: a line kept unfinished is a slowloris, closed however slowly bytes keep dripping in', async () => {
  const watcher = await login('watcher');
  const slow = await login('slow');
  await watcher.waitFor('* slow joined #main');
  slow.socket.write('this line never ends');
  let drips = 0;
  const drip = setInterval(() => {
    if (!slow.closed) slow.socket.write('.');
    drips++;
  }, 50);
  try {
    assert.is(await slow.waitFor(/^!/, 5000), '! a line left unfinished for 300ms (line timeout: end each line with a newline); closing the connection');
    await slow.waitClosed();
  } finally {
    clearInterval(drip);
  }
  assert.ok(drips >= 3, 'bytes kept arriving while the line was open');
  await watcher.waitFor('* slow left #main');
  assert.not.ok(watcher.lines.some((l) => l.includes('this line never ends')));
  assert.equal(disconnects.map((d) => [d.nick, d.reason]), [['slow', 'line_timeout']]);
});

const idle = withServer('idle timeout', { idleTimeout: 300 });

idle('--idle-timeout: a connection that sends no line for that long is told and closed', async () => {
  const quiet = await login('quiet');
  assert.is(await quiet.waitFor(/^!/, 5000), '! nothing received for 300ms (idle timeout); closing the connection');
  await quiet.waitClosed();
  assert.equal(disconnects.map((d) => [d.nick, d.reason]), [['quiet', 'idle_timeout']]);
});

quit.run();
linger.run();
timeouts.run();
idle.run();
