import path from 'node:path';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import type { ChatEventMap } from '../../server/index.js';
import { CHROMIUM, launchChromium, watchedPage, type WatchedPage } from '../helpers/chat-browser.js';
import { startTestHub } from '../helpers/chat-hub.js';
import { LineClient } from '../helpers/line-client.js';
import { parseExposition } from '../helpers/prom-text.js';
import { tempDir } from '../helpers/temp.js';
import { findTool, needing } from '../helpers/require-tool.js';

const test = needing(uvuTest, findTool('chromium', 'chromium', CHROMIUM));
type Hub = Awaited<ReturnType<typeof startTestHub>>;
let hub: Hub;
let browser: Browser;
const pages: WatchedPage[] = [];

test.before(async () => {
  hub = await startTestHub();
  browser = await launchChromium();
});
test.after(async () => {
  await browser.close();
  await hub.cleanup();
});

async function openChat(port: number, nick: string): Promise<WatchedPage> {
  const w = await watchedPage(browser);
  pages.push(w);
  await w.page.goto(`http://127.0.0.1:${port}/chat?nick=${encodeURIComponent(nick)}`);
  await w.page.waitForFunction((n) => document.getElementById('me')?.textContent === n && !document.getElementById('chat')?.hidden, nick);
  return w;
}

async function say(page: Page, line: string): Promise<void> {
  await page.fill('#line', line);
  await page.press('#line', 'Enter');
}

/** Waits until `selector`'s text contains `text`; returns that text. */
async function shows(page: Page, selector: string, text: string): Promise<string> {
  await page.waitForFunction(([s, t]) => (document.querySelector(s as string)?.textContent ?? '').includes(t as string), [selector, text], { timeout: 8000 });
  return (await page.textContent(selector)) ?? '';
}

function onlyLocal(w: WatchedPage, port: number): void {
  const foreign = w.requests.filter((u) => !u.startsWith(`http://127.0.0.1:${port}/`) && !u.startsWith(`ws://127.0.0.1:${port}/`));
  assert.equal(foreign, [], 'no request to any other host');
  assert.ok(w.requests.length >= 3, 'page, bundle and socket were seen');
}

test('two pages and a TCP client chat in one room; rooms with counts, members, history on join', async () => {
  const messages: ChatEventMap['message'][] = [];
  const off = hub.events.on('message', (e) => messages.push(e));
  const carol = await LineClient.login(hub.chat.address.port, 'carol');
  await carol.ask('/join dev', '* carol joined #dev');
  await carol.ask('an earlier line', '[dev] You: an earlier line');
  const ann = await openChat(hub.http.address.port, 'ann');
  const bob = await openChat(hub.http.address.port, 'bob');
  await say(ann.page, '/join dev');
  await shows(ann.page, '#messages', 'carol: an earlier line'); // history on join
  assert.is(await ann.page.textContent('#room-title'), '#dev');
  assert.ok(await ann.page.$('#messages li.history'), 'history lines styled as history');
  await say(bob.page, '/join dev');
  await shows(bob.page, '#room-title', '#dev');

  await say(ann.page, 'hello from ann');
  await shows(bob.page, '#messages', 'ann: hello from ann');
  await carol.waitFor('[dev] ann: hello from ann');
  await say(bob.page, 'and bob');
  await shows(ann.page, '#messages', 'bob: and bob');
  await carol.waitFor('[dev] bob: and bob');
  carol.send('hi pages');
  await shows(ann.page, '#messages', 'carol: hi pages');
  await shows(bob.page, '#messages', 'carol: hi pages');

  await shows(ann.page, '#room-list', '#dev (3)');
  const members = await shows(ann.page, '#member-list', 'carol');
  assert.is(members, 'annbobcarol');
  const fromPages = messages.filter((m) => m.nick === 'ann' || m.nick === 'bob').map((m) => [m.nick, m.room, m.text, m.deliveries]);
  assert.equal(fromPages, [['ann', 'dev', 'hello from ann', 3], ['bob', 'dev', 'and bob', 3]], 'the pages\' messages are ChatEvents messages like any client\'s');
  // /metrics counts them too: 2 TCP lines + 2 page lines in #dev (it reads the latest tick).
  let dev: number | undefined;
  for (let i = 0; i < 60 && dev !== 4; i++) {
    const text = await (await fetch(`http://127.0.0.1:${hub.http.address.port}/metrics`)).text();
    dev = parseExposition(text).value('chat_messages_total', { room: 'dev' });
    if (dev !== 4) await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(dev, 4, 'chat_messages_total{room="dev"} counts the pages\' messages');
  off();
  carol.close();
  for (const w of [ann, bob]) {
    onlyLocal(w, hub.http.address.port);
    assert.equal(w.errors, []);
  }
});

test('a PM from the page, a PM to it; clicking a member starts a PM', async () => {
  const dave = await LineClient.login(hub.chat.address.port, 'dave');
  const eve = await openChat(hub.http.address.port, 'eve');
  await say(eve.page, '/pm dave psst from the page');
  await dave.waitFor('[PM from eve] psst from the page');
  await shows(eve.page, '#messages', 'PM to dave: psst from the page');
  dave.send('/pm eve psst back');
  await shows(eve.page, '#messages', 'PM from dave: psst back');
  assert.ok(await eve.page.$('#messages li.pm'));
  await dave.ask('/join main', /^\* #main is now your active room$/);
  await shows(eve.page, '#member-list', 'dave');
  await eve.page.click('#member-list button >> text=dave');
  assert.is(await eve.page.inputValue('#line'), '/pm dave ');
  dave.close();
});

test('a pasted line longer than the server takes: not cut in the box, refused by the server, and put back to shorten', async () => {
  const w = await openChat(hub.http.address.port, 'paster');
  const long = `${'é'.repeat(2100)}end`; // 2103 characters, 4203 bytes: a maxlength in characters let it through, the server does not
  await say(w.page, long);
  await shows(w.page, '#messages', 'line too long (max 4096 bytes) — it was not sent; it is back in the box to shorten');
  assert.is(await w.page.inputValue('#line'), long);
  const longer = 'x'.repeat(5000);
  await say(w.page, longer);
  await w.page.waitForFunction(() => (document.querySelectorAll('#messages li.error').length ?? 0) >= 2);
  assert.is((await w.page.inputValue('#line')).length, 5000, 'all of it, not the first 4096');
  await say(w.page, 'short enough');
  await shows(w.page, '#messages', 'short enough');
  assert.is(await w.page.inputValue('#line'), '');
});

test('hostile nickname, room and text show as text and run nothing', async () => {
  const evil = '<img src=x onerror="window.__pwned=1;alert(1)">';
  const evilName = '<svg/onload=window.__pwned=3>'; // no spaces: /nick and /join take one word
  const mallory = await LineClient.login(hub.chat.address.port, 'mallory');
  await mallory.ask('/join lair', '* mallory joined #lair');
  const w = await watchedPage(browser);
  pages.push(w);
  await w.page.goto(`http://127.0.0.1:${hub.http.address.port}/chat`);
  await w.page.fill('#nick', evilName);
  await w.page.press('#nick', 'Enter');
  const refused = await shows(w.page, '#login-error', 'invalid nickname');
  assert.ok(refused.includes(`'${evilName}'`), refused);
  await w.page.fill('#nick', 'victim');
  await w.page.press('#nick', 'Enter');
  await shows(w.page, '#me', 'victim');
  await say(w.page, '/join lair');
  await say(w.page, `/join ${evilName}`);
  await shows(w.page, '#messages', `invalid room name '${evilName}'`);
  mallory.send(evil);
  mallory.send('<script>window.__pwned=2</script>');
  await say(w.page, `I typed ${evil}`);
  // Each line is waited for on its own: the page's echo and mallory's lines may arrive in any order.
  await shows(w.page, '#messages', 'mallory: <script>window.__pwned=2</script>');
  await shows(w.page, '#messages', `mallory: ${evil}`);
  await shows(w.page, '#messages', `victim: I typed ${evil}`);
  const injected = await w.page.evaluate(() => ({
    imgs: document.querySelectorAll('img, svg').length,
    scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
  }));
  assert.equal(injected, { imgs: 0, scripts: ['/assets/chat.js'], pwned: null });
  assert.equal(w.dialogs, []);
  onlyLocal(w, hub.http.address.port);
  mallory.close();
});

test('a second tab with the same nickname is told plainly that it is taken', async () => {
  await openChat(hub.http.address.port, 'twin');
  const second = await watchedPage(browser);
  pages.push(second);
  await second.page.goto(`http://127.0.0.1:${hub.http.address.port}/chat?nick=twin`);
  const text = await shows(second.page, '#login-error', 'taken');
  assert.is(text, "Nickname 'twin' is taken. Choose another.");
  assert.ok(await second.page.isVisible('#login'));
  assert.ok(await second.page.isHidden('#chat'));
});

test('a login form left alone past --login-timeout: the page reconnects quietly, and logging in then works', async () => {
  const own = await startTestHub({ loginTimeout: 300 });
  try {
    const closed: string[] = [];
    let connects = 0;
    own.events.on('disconnect', (e) => closed.push(e.reason));
    own.events.on('connect', () => connects++);
    const w = await watchedPage(browser);
    pages.push(w);
    await w.page.goto(`http://127.0.0.1:${own.http.address.port}/chat`);
    // The server gave up on the nameless connection, and the page opened a new one.
    await w.page.waitForFunction(() => document.getElementById('status')?.textContent === 'connected', undefined, { timeout: 8000 });
    const end = Date.now() + 8000;
    while (!(closed.includes('login_timeout') && connects >= 2) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.ok(closed.includes('login_timeout') && connects >= 2, `disconnects ${closed.join(',')}, connects ${connects}`);
    assert.is(await w.page.textContent('#login-error'), '', 'no error shown on the login form');
    await w.page.fill('#nick', 'slowtypist');
    await w.page.press('#nick', 'Enter');
    await w.page.waitForFunction(() => document.getElementById('me')?.textContent === 'slowtypist', undefined, { timeout: 8000 });
  } finally {
    await own.cleanup();
  }
});

test('the page links to the dashboard', async () => {
  const w = await watchedPage(browser);
  pages.push(w);
  await w.page.goto(`http://127.0.0.1:${hub.http.address.port}/chat`);
  assert.is(await w.page.getAttribute('header a', 'href'), '/');
});

test('after a server restart on the same ports and db the page reconnects and is back in its rooms', async () => {
  const tmp = tempDir();
  const db = path.join(tmp.dir, 'chat.db');
  let own = await startTestHub({ db });
  const { port } = own.chat.address;
  const httpPort = own.http.address.port;
  try {
    const w = await openChat(httpPort, 'phoenix');
    await say(w.page, '/join dev');
    await shows(w.page, '#room-title', '#dev');
    await say(w.page, '/join ops');
    await shows(w.page, '#room-title', '#ops');
    await own.cleanup(); // closes the hub and removes its results folder; the db is ours (tmp)
    await shows(w.page, '#status', 'disconnected — retrying in');
    own = await startTestHub({ db, port, httpPort });
    await shows(w.page, '#status', 'connected as phoenix; rooms restored');
    assert.is(await w.page.textContent('#room-title'), '#ops');
    const mine = await w.page.$$eval('#room-list li.mine .room', (els) => els.map((e) => e.textContent));
    assert.equal(mine.sort(), ['#dev', '#main', '#ops']);
    const watcher = await LineClient.login(port, 'watcher');
    await watcher.ask('/join ops', '* watcher joined #ops');
    await say(w.page, 'back again');
    await watcher.waitFor('[ops] phoenix: back again');
    watcher.close();
    onlyLocal(w, httpPort);
  } finally {
    await own.cleanup();
    tmp.cleanup();
  }
});

test.run();
