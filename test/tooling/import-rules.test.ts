// The import rules (.dependency-cruiser.cjs) checked by the real `scripts/check-imports.mjs` — real tsc,
// real dependency-cruiser — against small planted TypeScript trees, so the rules are tested apart from
// the state of the real tree.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from '../helpers/temp.js';

const checker = path.resolve('scripts/check-imports.mjs');

/** Writes `files` (path → source) as a TypeScript ESM project in a temp dir and checks its imports. */
function check(files: Record<string, string>): { status: number | null; violations: string[]; out: string } {
  const { dir, cleanup } = tempDir('chatpulse-import-rules-');
  try {
    const tops = [...new Set(Object.keys(files).map((f) => f.split('/')[0]))];
    const all: Record<string, string> = {
      ...files,
      'package.json': JSON.stringify({ type: 'module' }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [] },
        include: tops,
      }),
    };
    for (const [file, text] of Object.entries(all)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    const r = spawnSync(process.execPath, [checker, dir], { encoding: 'utf8' });
    const out = r.stdout + r.stderr;
    const violations = r.stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim()).sort();
    return { status: r.status, violations, out };
  } finally {
    cleanup();
  }
}

/** Imports allowed by every rule: protocol/ is imported from all sides and the server may use store/. */
const allowed: Record<string, string> = {
  'protocol/wire.ts': `export const WIRE = 1;\n`,
  'store/db.ts': `export const DB = 'db';\n`,
  'server/core.ts': `import { WIRE } from '../protocol/wire.js';\nimport { DB } from '../store/db.js';\nexport const CORE = WIRE + DB;\n`,
  'metrics/tick.ts': `import { CORE } from '../server/core.js';\nexport const TICK = CORE;\n`,
  'loadgen/client.ts': `import { WIRE } from '../protocol/wire.js';\nexport const LOAD = WIRE;\n`,
  'dashboard/web/view.ts': `export const VIEW = 1;\n`,
  'dashboard/web/page.ts': `import { WIRE } from '../../protocol/wire.js';\nimport { VIEW } from './view.js';\nexport const PAGE = WIRE + VIEW;\n`,
  'cli/main.ts': `import { LOAD } from '../loadgen/client.js';\nimport { TICK } from '../metrics/tick.js';\nexport const MAIN = [LOAD, TICK];\n`,
};

test('a tree that keeps every rule passes', () => {
  const r = check(allowed);
  assert.equal(r.violations, [], r.out);
  assert.is(r.status, 0, r.out);
});

test('each wrong import is reported with its rule name, type-only imports included', () => {
  const r = check({
    ...allowed,
    'protocol/leaky.ts': `import { CORE } from '../server/core.js';\nexport const LEAK = CORE;\n`,
    'loadgen/wrong.ts': `import { CORE } from '../server/core.js';\nexport const W = CORE;\n`,
    'client/wrong.ts': `import type { Flag } from '../cli/flag.js';\nexport const f: Flag = 'x';\n`,
    'cli/flag.ts': `export type Flag = string;\n`,
    'compare/wrong.ts': `import { PAGE } from '../dashboard/web/page.js';\nexport const C = PAGE;\n`,
    'server/counts.ts': `import type { Tick } from '../metrics/types.js';\nexport const t: Tick = 1;\n`,
    'metrics/types.ts': `export type Tick = number;\n`,
    'dashboard/web/frames-user.ts': `import type { Frame } from '../frames.js';\nexport const fr: Frame = 1;\n`,
    'dashboard/frames.ts': `export type Frame = number;\n`,
    // A cycle closed only by a type import: invisible in compiled JS, still a cycle.
    'store/a.ts': `import { B } from './b.js';\nexport interface A { b: typeof B }\n`,
    'store/b.ts': `import type { A } from './a.js';\nexport const B = 1;\nexport type UsesA = A;\n`,
  });
  const cycle = r.violations.filter((v) => v.startsWith('no-circular:'));
  assert.ok(
    ['no-circular: store/a.ts → store/b.ts → store/a.ts', 'no-circular: store/b.ts → store/a.ts → store/b.ts'].includes(cycle[0] ?? ''),
    r.out,
  );
  assert.is(cycle.length, 1, r.out);
  assert.equal(r.violations.filter((v) => !v.startsWith('no-circular:')), [
    'browser-bundle-only-protocol-and-web: dashboard/web/frames-user.ts → dashboard/frames.ts',
    'loadgen-client-compare-not-to-server-dashboard-cli: client/wrong.ts → cli/flag.ts',
    'loadgen-client-compare-not-to-server-dashboard-cli: compare/wrong.ts → dashboard/web/page.ts',
    'loadgen-client-compare-not-to-server-dashboard-cli: loadgen/wrong.ts → server/core.ts',
    'protocol-is-a-leaf: protocol/leaky.ts → server/core.ts',
    'server-not-to-metrics: server/counts.ts → metrics/types.ts',
  ], r.out);
  assert.is(r.status, 1, r.out);
});

test.run();
