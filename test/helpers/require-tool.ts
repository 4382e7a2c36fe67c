import fs from 'node:fs';
import type { Test } from 'uvu';

const DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin'];

/**
 * Tools named in CHATPULSE_TEST_HIDE_TOOLS (comma-separated binaries) are treated as missing, so the
 * skip path can be tried on a machine that has them: `CHATPULSE_TEST_HIDE_TOOLS=tmux node dist/…`.
 */
const hidden = () => new Set((process.env.CHATPULSE_TEST_HIDE_TOOLS ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** Says a requirement is missing: outside CI a `SKIP:` line; under CI=true (CI installs everything) it throws. */
export function missing(line: string): undefined {
  if (process.env.CI === 'true') throw new Error(`${line} — required under CI=true`);
  console.log(`SKIP: ${line}`);
  return undefined;
}

/**
 * Finds a Debian-installed tool a test drives for real (at `path`, or by name in the usual folders).
 * Missing: outside CI it prints a `SKIP:` line naming the package and returns undefined — register the
 * tests with `needing` so they count as skipped; under CI=true a missing tool throws, never a skip.
 */
export function findTool(binary: string, debianPackage: string, path?: string): string | undefined {
  const candidates = path ? [path] : DIRS.map((d) => `${d}/${binary}`);
  const found = hidden().has(binary) ? undefined : candidates.find((p) => fs.existsSync(p));
  if (found) return found;
  return missing(`${binary} not found: install the Debian package '${debianPackage}' (apt-get install -y ${debianPackage})`);
}

/** `findTool` as a yes/no. */
export function requireTool(binary: string, debianPackage: string, path?: string): boolean {
  return findTool(binary, debianPackage, path) !== undefined;
}

/**
 * `suite` itself when every requirement was found (a tool's path, a probe's `true`). When one is
 * missing (outside CI: under CI `findTool` already threw), a stand-in on which every test is
 * registered as a uvu skip — the run reports "Skipped", never a pass that did not run — and every
 * hook is dropped, since the hooks start what those tests need. Per test: `needing(test, bin)('name', fn)`.
 */
export function needing<T>(suite: Test<T>, ...found: Array<string | boolean | undefined>): Test<T> {
  if (found.every((f) => f !== undefined && f !== false)) return suite;
  const none = () => {};
  const hook = Object.assign(none, { each: none });
  return Object.assign((name: string) => suite.skip(name), {
    only: (name: string) => suite.skip(name),
    skip: suite.skip,
    before: hook,
    after: hook,
    run: () => suite.run(),
  }) as unknown as Test<T>;
}
