import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './temp.js';

export interface SmallDisk {
  dir: string;
  /** Fills the file system to the last page (a filler file), so the next write that grows a file fails with ENOSPC. */
  fill(): void;
  /** Removes the filler: writes succeed again. */
  free(): void;
  cleanup(): void;
}

/**
 * A real full disk: a tmpfs of `sizeKb` mounted on a temp folder (needs root, as in CI and here).
 * Where mounting is impossible: outside CI the caller skips, with a line saying why; under CI=true it
 * throws, never a silent skip.
 */
export function smallDisk(sizeKb: number): SmallDisk | undefined {
  const tmp = tempDir('chatpulse-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', tmp.dir], { stdio: 'pipe' });
  } catch (err) {
    tmp.cleanup();
    const line = `cannot mount a tmpfs (root and CAP_SYS_ADMIN needed) for the full-disk test: ${String((err as Error).message).split('\n')[0]}`;
    if (process.env.CI === 'true') throw new Error(`${line} — required under CI=true`);
    console.log(`SKIP: ${line}`);
    return undefined;
  }
  const filler = path.join(tmp.dir, 'filler');
  return {
    dir: tmp.dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      try {
        for (const size of [64 * 1024, 4096, 512, 1]) {
          const chunk = Buffer.alloc(size, 1);
          for (;;) {
            try {
              fs.writeSync(fd, chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    cleanup() {
      try {
        execFileSync('umount', ['-l', tmp.dir], { stdio: 'pipe' });
      } finally {
        tmp.cleanup();
      }
    },
  };
}

/**
 * Whether `smallDisk` can mount here, tried once with a tiny tmpfs (for `needing`): outside CI a `SKIP:`
 * line when it cannot; under CI=true that throws.
 */
export function canMountSmallDisk(): boolean {
  const disk = smallDisk(64);
  disk?.cleanup();
  return disk !== undefined;
}
