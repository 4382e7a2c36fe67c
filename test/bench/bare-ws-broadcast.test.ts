import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBareWs, type ServerProcess } from '../../bench/processes.js';
import { maskedTextFrames, readTextFrames, upgrade, type UpgradedSocket } from '../../bench/ws-client.js';

let server: ServerProcess | undefined;
const sockets: UpgradedSocket[] = [];

test.before(async () => {
  server = await startBareWs();
});

test.after(async () => {
  for (const s of sockets) s.socket.destroy();
  await server?.stop();
});

/** Texts of the frames `s` receives until `n` have come (or 5 s pass). */
function nextTexts(s: UpgradedSocket, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = s.rest;
    const texts: string[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${texts.length} of ${n} frames came`)), 5000);
    const take = () => {
      const r = readTextFrames(buf);
      texts.push(...r.texts);
      buf = r.rest;
      if (texts.length >= n) {
        clearTimeout(timer);
        s.socket.off('data', onData);
        resolve(texts);
      }
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      take();
    };
    s.socket.on('data', onData);
    take();
  });
}

test('a text frame from one member reaches every member of its room (sender included), and no other room', async () => {
  const port = (server as ServerProcess).port;
  for (const path of ['/r0', '/r0', '/r0', '/r1']) sockets.push(await upgrade(port, path));
  const [a, b, c, other] = sockets as [UpgradedSocket, UpgradedSocket, UpgradedSocket, UpgradedSocket];
  let otherGot = 0;
  other.socket.on('data', () => otherGot++);
  const got = Promise.all([a, b, c].map((s) => nextTexts(s, 2)));
  a.socket.write(maskedTextFrames([Buffer.from('hello room'), Buffer.from('second')]));
  for (const texts of await got) assert.equal(texts, ['hello room', 'second']);
  // r1 heard nothing: it is checked after r0's frames were all delivered by the same flush.
  assert.is(otherGot, 0);
});

test.run();
