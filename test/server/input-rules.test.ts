import net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { LineClient, sleep } from '../helpers/line-client.js';

let srv: TestServer;
const clients: LineClient[] = [];
const sockets: net.Socket[] = [];

function withServer(name: string) {
  const s = suite(name);
  s.before.each(async () => {
    srv = await startTestServer();
  });
  s.after.each(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const so of sockets.splice(0)) so.destroy();
    await srv.stop();
  });
  return s;
}

async function login(nick: string) {
  const c = await LineClient.login(srv.port, nick);
  clients.push(c);
  return c;
}

/** A member that records the exact bytes the server sends it. */
async function rawMember(nick: string): Promise<{ bytes: () => Buffer; waitFor: (want: string | ((all: string) => boolean)) => Promise<void>; write: (s: string) => void }> {
  const chunks: Buffer[] = [];
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const so = net.connect(srv.port, '127.0.0.1', () => resolve(so));
    so.once('error', reject);
  });
  sockets.push(socket);
  socket.on('data', (d: Buffer) => chunks.push(d));
  const bytes = () => Buffer.concat(chunks);
  const waitFor = async (want: string | ((all: string) => boolean)) => {
    const end = Date.now() + 3000;
    const done = typeof want === 'string' ? (all: string) => all.includes(want) : want;
    while (!done(bytes().toString())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${String(want)}; got ${JSON.stringify(bytes().toString())}`);
      await sleep(10);
    }
  };
  socket.write(`/nick ${nick}\n`);
  await waitFor(`* Welcome, ${nick}.`);
  return { bytes, waitFor, write: (s) => socket.write(s) };
}

const arity = withServer('fixed-arity commands');

arity('extra words are refused with the rule, never silently dropped', async () => {
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  await c.waitFor(/^\* Welcome to chatpulse/);
  assert.is(await c.ask('/nick two words', /^[!*]/), '! /nick NAME takes one nickname (nicknames have no spaces); got 2 words');
  await c.ask('/nick ann', /^\* Welcome, ann\./);
  const bob = await login('bob');
  assert.is(await c.ask('/nick bo b', /^!/), '! /nick NAME takes one nickname (nicknames have no spaces); got 2 words');
  assert.is(await c.ask('/join a b', /^!/), '! /join ROOM takes one room name (room names have no spaces); got 2 words');
  assert.is(await c.ask('/leave main  dev', /^!/), '! /leave [ROOM] takes at most one room name; got 2 words');
  assert.is(await c.ask('/users main dev', /^!/), '! /users [ROOM] takes at most one room name; got 2 words');
  assert.is(await c.ask('/history 5 6', /^!/), '! /history [N] takes at most one number; got 2 words');
  assert.is(await c.ask('/rooms all', /^!/), '! /rooms takes no arguments; got 1 word');
  // Nothing happened: still ann, in #main only; one-word forms still work; /pm keeps its text.
  assert.is(await c.ask('/rooms', /^\* rooms/), '* rooms (1): main (2)');
  assert.is(await c.ask('/users', /^\* users/), '* users in #main (2): ann, bob');
  await c.ask('/pm bob two  words, kept', '[PM to bob] two  words, kept');
  await bob.waitFor('[PM from ann] two  words, kept');
  await c.ask('/join dev', '* ann joined #dev');
  // A tab after the command separates as a space does (it was '! unknown command' with the tab in it).
  await c.ask('/join\tdev2', '* ann joined #dev2');
  assert.is(await c.ask('/users\tdev2', /^\* users/), '* users in #dev2 (1): ann');
});

const controls = withServer('control characters');

const BAD: [string, string][] = [
  ['title \x1b]0;pwned\x07', 'U+001B'],
  ['forged\r[PM from admin] your password, please', 'U+000D'],
  ['bell \x07', 'U+0007'],
  ['nul \x00', 'U+0000'],
  ['csi \u009b2J', 'U+009B'],
  ['del \x7f', 'U+007F'],
];

const refusal = (code: string) => `! control character ${code} refused (only tab is allowed); the line was dropped`;

controls('C0/C1 controls in messages, PMs, names are refused with one line; members and /history never get them', async () => {
  const bob = await rawMember('bob');
  const ann = await login('ann');
  await bob.waitFor('* ann joined #main\n');
  const mark = bob.bytes().length;
  const from = ann.lines.length;
  // The first three in one read (the server's per-read check), the rest one per read.
  ann.socket.write(BAD.slice(0, 3).map(([text]) => `${text}\n`).join(''));
  for (const [text] of BAD.slice(3)) {
    await sleep(20);
    ann.send(text);
  }
  ann.send('/pm bob \x1b[2Jcleared');
  ann.send('/join de\x1bv');
  ann.send('/nick an\x1bn');
  ann.send('tab\tis fine');
  await ann.waitFor('[main] You: tab\tis fine', 3000, from);
  assert.equal(ann.lines.slice(from), [
    ...BAD.map(([, code]) => refusal(code)),
    refusal('U+001B'), refusal('U+001B'), refusal('U+001B'),
    '[main] You: tab\tis fine',
  ]);
  await bob.waitFor('[main] ann: tab\tis fine\n');
  assert.equal(bob.bytes().subarray(mark), Buffer.from('[main] ann: tab\tis fine\n'));

  bob.write('/history 10\n');
  await bob.waitFor((all) => /\* \[main\] [^\n]*\n$/.test(all));
  const history = bob.bytes().subarray(mark).toString().split('\n').slice(1, -1);
  assert.is(history.length, 2, history.join('|'));
  assert.is(history[0], '* history of #main: last 1 line (UTC)');
  assert.match(history[1] as string, /^\* \[main\] \d\d:\d\d:\d\d ann: tab\tis fine$/);
  // Nothing but printable text, tab and newline reached bob, ever.
  const all = bob.bytes();
  for (let i = 0; i < all.length; i++) {
    const b = all[i] as number;
    assert.ok((b >= 0x20 && b !== 0x7f) || b === 9 || b === 10, `byte ${b} at ${i}`);
    if (b === 0xc2) assert.ok((all[i + 1] as number) > 0x9f, `C1 at ${i}`);
  }
});

const lookalikes = withServer('lookalike nicknames');

lookalikes('NFC and TR39 skeletons: a nickname that looks like one in use is refused, naming it', async () => {
  const admin = await login('admin');
  await login('caf\u00e9');
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  await c.waitFor(/^\* Welcome to chatpulse/);
  const ask = (nick: string) => c.ask(`/nick ${nick}`, /^[!*]/);
  assert.is(await ask('\u0430dmin'), "! nickname '\u0430dmin' is taken: it looks like 'admin'", 'Cyrillic а');
  assert.is(await ask('admin\ufe0f'), "! nickname 'admin\ufe0f' is taken: it looks like 'admin'", 'variation selector');
  assert.is(await ask('\uff41\uff44\uff4d\uff49\uff4e'), "! nickname '\uff41\uff44\uff4d\uff49\uff4e' is taken: it looks like 'admin'", 'fullwidth');
  assert.is(await ask('ADMIN'), "! nickname 'ADMIN' is taken");
  // A capital I reads as l in most fonts: confusables.txt says so, but only of the name as typed.
  const bill = await login('bill');
  assert.is(await ask('biII'), "! nickname 'biII' is taken: it looks like 'bill'", 'capital I for l');
  assert.is(await ask('BiLI'), "! nickname 'BiLI' is taken: it looks like 'bill'");
  const carol = await login('carol');
  assert.is(await carol.ask('/nick bilI', /^!/), "! nickname 'bilI' is taken: it looks like 'bill'", 'renames too');
  assert.is(await carol.ask('/nick biil', /^\*/), '* carol is now known as biil', 'a small i is no l');
  bill.send('/quit');
  await bill.waitClosed();
  assert.is(await carol.ask('/nick biII', /^[!*]/), '* biil is now known as biII', 'free once bill left');
  const d = await LineClient.connect(srv.port);
  clients.push(d);
  await d.waitFor(/^\* Welcome to chatpulse/);
  assert.is(await d.ask('/nick bill', /^[!*]/), "! nickname 'bill' is taken: it looks like 'biII'", 'both ways');
  await carol.ask('/nick carol', '* biII is now known as carol');
  assert.match(await d.ask('/nick bill', /^(!|\* Welcome)/), /^\* Welcome back, bill\. /, 'free once biII is gone (and its rooms kept for it)');
  assert.is(await ask('cafe\u0301'), "! nickname 'caf\u00e9' is taken", 'NFD café is NFC café');
  const bob = await login('bob');
  await bob.ask('/pm cafe\u0301 hi', '[PM to caf\u00e9] hi');
  assert.is(await bob.ask('/nick \u0430dmin', /^!/), "! nickname '\u0430dmin' is taken: it looks like 'admin'", 'renames too');
  // Once admin leaves, its lookalikes are free (the skeleton map forgets it).
  admin.send('/quit');
  await admin.waitClosed();
  assert.is(await ask('\u0430dmin'), '* Welcome, \u0430dmin. You are in #main. Type /help for the commands.');
  // The holder may switch to a lookalike of its own nickname.
  await c.ask('/nick admin', '* \u0430dmin is now known as admin');
});

lookalikes("no one may be called You, or anything like it: '[room] You:' is each reader's own echo", async () => {
  const bob = await login('bob');
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  await c.waitFor(/^\* Welcome to chatpulse/);
  for (const nick of ['You', 'you', 'YOU', 'Y0u', '\u0423ou', 'You\ufe0f']) {
    assert.is(await c.ask(`/nick ${nick}`, /^[!*]/), `! invalid nickname '${nick}': 'You' marks your own messages in a room`, nick);
  }
  assert.is(await bob.ask('/nick you', /^[!*]/), "! invalid nickname 'you': 'You' marks your own messages in a room", 'renames too');
  assert.is(await c.ask('/nick Youssef', /^[!*]/), '* Welcome, Youssef. You are in #main. Type /help for the commands.', 'names that only start with it are fine');
});

lookalikes('a name may not start with a combining mark: it would show as nothing, or as part of what comes before it', async () => {
  const c = await LineClient.connect(srv.port);
  clients.push(c);
  await c.waitFor(/^\* Welcome to chatpulse/);
  assert.is(await c.ask('/nick \u0301\u0301', /^[!*]/), "! invalid nickname '\u0301\u0301': it starts with a combining mark (an accent goes after its letter)");
  await c.ask('/nick ren\u0065\u0301', /^\* Welcome, ren\u00e9\./);
  assert.is(await c.ask('/join \u0301x', /^[!*]/), "! invalid room name '\u0301x': it starts with a combining mark (an accent goes after its letter)");
});

arity.run();
controls.run();
lookalikes.run();
