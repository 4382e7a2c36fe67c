import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LineClient } from '../helpers/line-client.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';

const clients: LineClient[] = [];
let srv: TestServer;

async function login(nick: string) {
  const c = await LineClient.login(srv.port, nick);
  clients.push(c);
  return c;
}

function withServer(name: string, opts: Parameters<typeof startTestServer>[0] = {}) {
  const s = suite(name);
  s.before.each(async () => {
    srv = await startTestServer(opts);
  });
  s.after.each(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv.stop();
  });
  return s;
}

const login_ = withServer('login');

login_('welcome line, first line taken as nickname, main on login', async () => {
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  await c.waitFor('* Welcome to chatpulse. Choose a nickname with /nick NAME');
  c.send('ann');
  await c.waitFor('* Welcome, ann. You are in #main. Type /help for the commands.');
  await c.waitFor('* ann joined #main');
  assert.match(await c.ask('/users', /^\* users in/), '* users in #main (1): ann');
});

login_('before a nickname only /nick, /help and /quit work', async () => {
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  assert.is(await c.ask('/join dev', /^!/), '! choose a nickname first with /nick NAME');
  assert.is(await c.ask('/help', /\/join ROOM/), '*   /join ROOM          join a room (created on demand) and make it active; shows its last 20 lines');
  c.send('/quit');
  await c.waitFor('* Bye');
  await c.waitClosed();
});

login_('nickname rules: bad names and taken names (case-insensitive), Cyrillic allowed', async () => {
  await login('Борис');
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  assert.is(await c.ask('/nick борис', /^!/), "! nickname 'борис' is taken");
  assert.is(await c.ask('/nick bad!', /^!/), "! invalid nickname 'bad!': use only letters, digits, _ - .");
  assert.match(await c.ask(`/nick ${'a'.repeat(33)}`, /^! invalid/), /longer than 32 characters/);
  assert.match(await c.ask('/nick a@b', /^! invalid/), /use only letters, digits, _ - \./);
  await c.ask('/nick Анна_1.x-y', /^\* Welcome, Анна_1\.x-y/);
});

login_('/nick renames and tells the rooms', async () => {
  const a = await login('ann');
  const b = await login('bob');
  await a.ask('/nick annie', '* ann is now known as annie');
  await b.waitFor('* ann is now known as annie');
  assert.match(await b.ask('/users', /^\* users/), /annie, bob/);
  assert.is(await b.ask('/nick annie', /^!/), "! nickname 'annie' is taken");
  // The same name again: said to the asker only, no room is told annie became annie.
  const before = b.lines.length;
  assert.is(await a.ask('/nick annie', /^\* /), '* you are already annie');
  assert.is(await b.ask('/users', /^\* users/), '* users in #main (2): annie, bob');
  assert.equal(b.lines.slice(before).filter((l) => l.includes('known as')), []);
});

const rooms = withServer('rooms and messages');

rooms('room message markers: [room] nick: text to others, [room] You: text to the sender', async () => {
  const a = await login('ann');
  const b = await login('bob');
  await a.ask('/join dev', '* ann joined #dev');
  await b.ask('/join dev', '* bob joined #dev');
  await a.waitFor('* bob joined #dev');
  a.send('hello dev');
  await a.waitFor('[dev] You: hello dev');
  await b.waitFor('[dev] ann: hello dev');
});

rooms('/join shows history of the last 20 lines; /history N; bad N is refused', async () => {
  const a = await login('ann');
  await a.ask('/join dev', '* ann joined #dev');
  for (let i = 1; i <= 25; i++) a.send(`line ${i}`);
  await a.waitFor('[dev] You: line 25');
  const b = await login('bob');
  const from = b.lines.length;
  b.send('/join #dev');
  await b.waitFor('* history of #dev: last 20 lines (UTC)', 3000, from);
  await b.waitFor(/^\* \[dev\] \d\d:\d\d:\d\d ann: line 25$/, 3000, from);
  assert.not.ok(b.lines.slice(from).some((l) => / ann: line 5$/.test(l)), 'only the last 20');
  assert.is(await b.ask('/history 3', /^\* history/), '* history of #dev: last 3 lines (UTC)');
  assert.is(await b.ask('/history 0', /^!/), "! /history takes a number from 1 to 200, got '0'");
  assert.is(await b.ask('/history lots', /^!/), "! /history takes a number from 1 to 200, got 'lots'");
});

rooms('/rooms lists member counts; /users [ROOM]; unknown room', async () => {
  const a = await login('ann');
  const b = await login('bob');
  await a.ask('/join dev', '* ann joined #dev');
  await b.ask('/join dev', '* bob joined #dev');
  assert.is(await a.ask('/rooms', /^\* rooms/), '* rooms (2): dev (2), main (2)');
  assert.is(await a.ask('/users main', /^\* users/), '* users in #main (2): ann, bob');
  assert.is(await a.ask('/users nowhere', /^!/), "! no such room '#nowhere'");
});

rooms('/leave: active room falls back to main; leaving main needs another room', async () => {
  const a = await login('ann');
  const b = await login('bob');
  assert.is(await a.ask('/leave main', /^!/), '! you are only in #main; join another room before leaving it');
  await a.ask('/join dev', '* ann joined #dev');
  await b.ask('/join dev', '* bob joined #dev');
  await a.ask('/leave', '* #main is now your active room');
  await b.waitFor('* ann left #dev');
  a.send('back in main');
  await b.waitFor('[main] ann: back in main');
  assert.is(await a.ask('/leave dev', /^!/), '! you are not in #dev');
  await a.ask('/join ops', '* ann joined #ops');
  await a.ask('/leave main', '* ann left #main');
  a.send('still in ops');
  await a.waitFor('[ops] You: still in ops');
});

rooms('/pm and /msg: markers on both sides; PM to nobody is an error', async () => {
  const a = await login('ann');
  const b = await login('bob');
  await a.ask('/pm bob psst', '[PM to bob] psst');
  await b.waitFor('[PM from ann] psst');
  await b.ask('/msg ann hi back', '[PM to ann] hi back');
  await a.waitFor('[PM from bob] hi back');
  assert.is(await a.ask('/pm carol hey', /^!/), "! no such user 'carol'");
  assert.is(await a.ask('/pm bob', /^!/), '! usage: /pm NICK TEXT');
});

rooms('unknown commands and the connection keeps working', async () => {
  const a = await login('ann');
  assert.is(await a.ask('/dance', /^!/), "! unknown command '/dance' (try /help)");
  await a.ask('still here', '[main] You: still here');
});

rooms('the server emits typed events for what clients do', async () => {
  const seen: string[] = [];
  srv.events.on('join', (e) => seen.push(`join ${e.nick} ${e.room} ${e.members}`));
  srv.events.on('message', (e) => seen.push(`message ${e.room} ${e.nick} ${e.deliveries}`));
  srv.events.on('pm', (e) => seen.push(`pm ${e.from} ${e.to}`));
  srv.events.on('error', (e) => seen.push(`error ${e.reason}`));
  const a = await login('ann');
  const b = await login('bob');
  await a.ask('hi', '[main] You: hi');
  await a.ask('/pm bob x', '[PM to bob] x');
  await b.ask('/bogus', /^!/);
  assert.equal(seen, ['join ann main 1', 'join bob main 2', 'message main ann 2', 'pm ann bob', 'error unknown_command']);
});

/** The server's wall clock: the grace period ends when a test moves it, not when the machine gets round to it. */
let wallMs = 1_000_000;
const restore = withServer('reconnect restore', { graceMs: 400, now: () => wallMs });

/** Resolves on the server's next disconnect: the rooms are remembered at that moment. */
function disconnected(): Promise<void> {
  return new Promise((resolve) => {
    const off = srv.events.on('disconnect', () => {
      off();
      resolve();
    });
  });
}

restore('a nickname back within the grace period gets its rooms and active room', async () => {
  const a = await login('ann');
  await a.ask('/join dev', '* ann joined #dev');
  await a.ask('/join ops', '* ann joined #ops');
  await a.ask('/join dev', '* #dev is now your active room');
  const gone = disconnected();
  a.close();
  await gone;
  wallMs += 400; // the last moment of the grace period
  const again = await LineClient.connect(srv.port);
  clients.push(again);
  await again.ask('/nick ann', '* Welcome back, ann. Rooms restored: #main, #dev, #ops; active room: #dev');
  await again.ask('where am i', '[dev] You: where am i');
  assert.is(await again.ask('/users ops', /^\* users/), '* users in #ops (1): ann');
});

restore('after the grace period a nickname starts fresh in main', async () => {
  const a = await login('ann');
  await a.ask('/join dev', '* ann joined #dev');
  const gone = disconnected();
  a.close();
  await gone;
  wallMs += 401;
  const again = await LineClient.connect(srv.port);
  clients.push(again);
  await again.ask('/nick ann', '* Welcome, ann. You are in #main. Type /help for the commands.');
});

login_.run();
rooms.run();
restore.run();
