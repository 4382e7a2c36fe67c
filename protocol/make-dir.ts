/**
 * `mkdir -p` that always ends. Node 20's `fs.mkdirSync(dir, { recursive: true })` never returns under
 * a directory that answers every mkdir with ENOENT (`--out /proc/x`: 59,000 failed calls a second,
 * found by a user-style audit), so a bad results path hung a run instead of failing it with one line.
 * Here each missing directory is made once, from the top down, and the first refusal is thrown.
 */
import fs from 'node:fs';
import path from 'node:path';

export function makeDir(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; ) {
    try {
      if (fs.statSync(d).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, '${d}'`), { code: 'ENOTDIR' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      fs.mkdirSync(missing[i] as string);
    } catch (err) {
      // Made meanwhile by someone else (two runs starting at once): what was wanted, if a directory.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(missing[i] as string).isDirectory()) throw err;
    }
  }
}
