import fs from 'node:fs';

const DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin'];

/**
 * Finds a Debian-installed tool a test drives for real (at `path`, or by name in the usual folders).
 * Missing: outside CI the caller skips, with a line naming the package; under CI=true a missing tool
 * is a failure (CI installs them), never a silent skip.
 */
export function findTool(binary: string, debianPackage: string, path?: string): string | undefined {
  const candidates = path ? [path] : DIRS.map((d) => `${d}/${binary}`);
  const found = candidates.find((p) => fs.existsSync(p));
  if (found) return found;
  const line = `${binary} not found: install the Debian package '${debianPackage}' (apt-get install -y ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(`${line} — required under CI=true`);
  console.log(`SKIP: ${line}`);
  return undefined;
}

/** `findTool` as a yes/no. */
export function requireTool(binary: string, debianPackage: string, path?: string): boolean {
  return findTool(binary, debianPackage, path) !== undefined;
}
