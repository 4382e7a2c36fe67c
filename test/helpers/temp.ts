import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp folder; remove it with `cleanup()` in the test's `after`. */
export function tempDir(prefix = 'chatpulse-test-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
