import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeDir } from '../../protocol/make-dir.js';
import { tempDir } from '../helpers/temp.js';

test('makeDir: parents made, an existing one kept, and every refusal thrown at once (none loops)', () => {
  const tmp = tempDir('make-dir');
  try {
    const deep = path.join(tmp.dir, 'a', 'b', 'c');
    makeDir(deep);
    assert.ok(fs.statSync(deep).isDirectory());
    makeDir(deep); // already there
    makeDir(path.relative(process.cwd(), deep)); // relative, as a flag gives it
    fs.writeFileSync(path.join(tmp.dir, 'file'), '');
    assert.throws(() => makeDir(path.join(tmp.dir, 'file', 'x')), (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR');
    // /proc answers every mkdir with ENOENT: Node's own recursive mkdir never returns there.
    assert.throws(() => makeDir('/proc/chatpulse-test/x'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  } finally {
    tmp.cleanup();
  }
});

test.run();
