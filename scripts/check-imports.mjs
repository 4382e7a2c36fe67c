// `npm test` step: check the import rules in .dependency-cruiser.cjs against the project's import graph.
// Prints one line per violation, `  rule-name: from → to`, and exits 1 if there is any.
//
// Why not `depcruise cli server …` on the sources: dependency-cruiser reads TypeScript through the
// TypeScript compiler API, and TypeScript 7 (native) has none, so it skips every .ts file. Why not cruise
// the compiled JS in dist/: tsc erases type-only imports, so `import type { Command } from './main.js'`
// — the very cycle issue #16 names — would never be seen. So the compiler itself gives the graph:
// `tsc --explainFiles` lists, for every file of the program, each file that imports it (value, type-only
// and dynamic imports, resolved exactly as the build resolves them). This script writes that graph as a
// tree of one-line-per-import stub .js files mirroring the sources, and dependency-cruiser cruises the
// stubs with the project's rules, so the rule names and paths are the sources' own.
//
// usage: node scripts/check-imports.mjs [project dir, default: this repository]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = path.resolve(process.argv[2] ?? repo);
const tscBin = path.join(repo, 'node_modules/typescript/bin/tsc');
const depcruiseBin = path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = path.join(repo, '.dependency-cruiser.cjs');

/** A source file of the project (not a library, not a declaration file), as tsc prints it: relative. */
const isOurs = (file) => /\.[cm]?tsx?$/.test(file) && !/\.d\.[cm]?ts$/.test(file)
  && !file.startsWith('..') && !path.isAbsolute(file) && !file.split('/').includes('node_modules');

/** Map importer → files it imports, from `tsc --explainFiles` run in `dir`. */
function importGraph(dir) {
  const r = spawnSync(process.execPath, [tscBin, '-p', 'tsconfig.json', '--noEmit', '--explainFiles'],
    { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tsc --explainFiles failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  const graph = new Map();
  let file; // the file the indented reason lines below it explain
  for (const line of r.stdout.split('\n')) {
    if (line !== '' && !/^\s/.test(line)) {
      file = line.trim();
      if (isOurs(file) && !graph.has(file)) graph.set(file, new Set());
      continue;
    }
    // "   Imported via './x.js' from file 'cli/main.ts'" (+ " with packageId '…'" for packages)
    const importer = /^\s+Imported via (['"]).*?\1 from file '([^']+)'/.exec(line)?.[2];
    if (importer === undefined || file === undefined || !isOurs(importer) || !isOurs(file)) continue;
    if (!graph.has(importer)) graph.set(importer, new Set());
    graph.get(importer).add(file);
  }
  return graph;
}

const asJs = (file) => file.replace(/\.([cm]?)tsx?$/, '.$1js');

/** Writes the graph as stub modules under a new temp dir and returns the dir. */
function writeStubs(graph) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpulse-imports-'));
  for (const [file, targets] of graph) {
    const stub = path.join(root, asJs(file));
    fs.mkdirSync(path.dirname(stub), { recursive: true });
    const lines = [...targets].sort().map((t) => {
      const rel = path.posix.relative(path.posix.dirname(file), asJs(t));
      return `import '${rel.startsWith('.') ? rel : `./${rel}`}';`;
    });
    fs.writeFileSync(stub, lines.join('\n') + '\n');
  }
  return root;
}

function cruise(root) {
  const tops = fs.readdirSync(root).sort();
  const r = spawnSync(process.execPath, [depcruiseBin, '--config', config, '--output-type', 'json', ...tops],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`depcruise gave no report (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  }
}

const asTs = (stubFile) => stubFile.replace(/\.([cm]?)js$/, '.$1ts');

const graph = importGraph(project);
const edges = [...graph.values()].reduce((n, s) => n + s.size, 0);
// A parse that found nothing would pass every rule: refuse it instead.
if (edges === 0) {
  console.error('check-imports: found no imports in the output of tsc --explainFiles; has its format changed?');
  process.exit(1);
}
const root = writeStubs(graph);
let report;
try {
  report = cruise(root);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
const violations = report.summary.violations;
for (const v of violations) {
  const chain = v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)] : [v.from, v.to];
  console.log(`  ${v.rule.name}: ${chain.map(asTs).join(' → ')}`);
}
console.log(`import rules: ${violations.length} violation(s) in ${report.summary.totalCruised} modules, ${edges} imports`);
process.exit(violations.length > 0 ? 1 : 0);
