import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../helpers/cli.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { startTestServer } from '../helpers/chat-server.js';

/** The README's telnet block: lines starting with a server marker are expected output; others are typed. */
function readmeSession(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- session:[^>]*-->\n```\n\$ telnet [^\n]+\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has the session block');
  return (m[1] as string).trimEnd().split('\n');
}

const isServerLine = (l: string) => /^[*![]/.test(l);
/** History times are whatever the clock says; the README shows 12:00:00. */
const normalize = (l: string) => l.replace(/^(\* \[[^\]]+\]) \d\d:\d\d:\d\d /, '$1 12:00:00 ');

test('the README telnet session works exactly as printed', async () => {
  const srv = await startTestServer();
  const c = await LineClient.connect(srv.port);
  try {
    const script = readmeSession();
    let expectedCount = 0;
    for (const line of script) {
      if (isServerLine(line)) {
        expectedCount++;
        await c.waitFor(() => c.lines.length >= expectedCount, 3000);
      } else {
        await sleep(20);
        c.send(line);
      }
    }
    await c.waitClosed();
    assert.equal(c.lines.map(normalize), script.filter(isServerLine));
  } finally {
    c.close();
    await srv.stop();
  }
});

test.run();
