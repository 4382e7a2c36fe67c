import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Whether a Debian tool a test drives for real is here. Missing: the caller skips with a line naming
 * the package — except under CI=true, where a missing tool is a failure, never a silent skip.
 */
export function requireTool(binary: string, debianPackage: string, path?: string): boolean {
  const found = path ? fs.existsSync(path) : spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
  if (found) return true;
  const line = `${binary} not found: install the Debian package '${debianPackage}' (apt-get install ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(`CI: ${line}`);
  console.log(`SKIP: ${line}`);
  return false;
}
