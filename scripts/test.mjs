// `npm test`: type-check and build, run every uvu test file in its own process, then print the
// single closing line `N passed, N failed` (CI reads it). Exits non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILE_TIMEOUT_MS = Number(process.env.CHATPULSE_TEST_TIMEOUT_MS ?? 240_000);
const filter = process.argv[2]; // optional substring: `npm test -- protocol`

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  }).sort();
}

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    const onData = (d) => { out += d; process.stdout.write(d); };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => { out += `\n(timed out after ${FILE_TIMEOUT_MS / 1000}s)\n`; child.kill('SIGKILL'); }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? NaN);
      let total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
      if (!Number.isFinite(total)) { total = 1; passed = 0; skipped = 0; } // crashed before uvu's summary
      let failed = total - passed; // uvu's Total counts the tests that ran: skips are outside it
      if (code !== 0 && failed === 0) failed = 1; // a non-zero exit is never a pass
      resolve({ file, passed, failed, skipped, seconds: (Date.now() - started) / 1000 });
    });
  });
}

if (!step('npx', ['tsc', '-p', 'tsconfig.json']) || !step(process.execPath, ['scripts/bundle-web.mjs'])) {
  console.log('type-check or build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// The import rules (.dependency-cruiser.cjs, issue #16) count as one test. Only in the full run: a
// filtered run is about its own tests, and `node scripts/check-imports.mjs` checks the rules alone.
let importRulesOk;
if (!filter) {
  console.log('\n# import rules');
  importRulesOk = step(process.execPath, ['scripts/check-imports.mjs']);
}
const files = findTests(path.join(root, 'dist/test')).filter((f) => !filter || f.includes(filter));
const results = [];
for (const file of files) {
  console.log(`\n# ${path.relative(path.join(root, 'dist'), file)}`);
  results.push(await runFile(file));
}
const sum = (k) => results.reduce((a, r) => a + r[k], 0);
console.log('\nper file:');
for (const r of results) {
  console.log(`  ${r.failed ? 'FAIL' : 'ok  '} ${path.relative(path.join(root, 'dist/test'), r.file).padEnd(44)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${r.seconds.toFixed(1)}s)`);
}
if (importRulesOk !== undefined) console.log(`  ${importRulesOk ? 'ok  ' : 'FAIL'} ${'import rules (scripts/check-imports.mjs)'.padEnd(44)}`);
const failed = sum('failed') + (importRulesOk === false ? 1 : 0);
const passed = sum('passed') + (importRulesOk === true ? 1 : 0);
console.log(`${passed} passed, ${failed} failed${sum('skipped') ? `, ${sum('skipped')} skipped` : ''}`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
