// Bundles the browser pages (TypeScript + Chart.js + plugins) into dist/web at `npm install`,
// so the page is served by chatpulse itself: no CDN, works with the network unplugged.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['dashboard/web/dashboard.ts', 'dashboard/web/chat.ts', 'dashboard/web/report-page.ts']
  .map((p) => path.join(root, p))
  .filter((p) => fs.existsSync(p));
if (entries.length > 0) {
  await build({
    entryPoints: entries,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    outdir: path.join(root, 'dist/web'),
    logLevel: 'warning',
  });
}
