import fs from 'node:fs';

/**
 * Finds a Debian-installed tool. Missing: outside CI the caller skips with a line naming the package;
 * under CI=true a missing tool is a failure (CI installs them), never a silent skip.
 */
export function requireTool(binary: string, debianPackage: string): string | undefined {
  for (const dir of ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/bin', '/sbin']) {
    const p = `${dir}/${binary}`;
    if (fs.existsSync(p)) return p;
  }
  const line = `${binary} not found: install the Debian package '${debianPackage}' (apt-get install -y ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(`${line} — required under CI=true`);
  console.log(`SKIP: ${line}`);
  return undefined;
}
