import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

/** dist/web, where scripts/bundle-web.mjs writes the browser bundles (from dist/dashboard/ at run time). */
export const defaultWebDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web');

/**
 * Serves the bundled browser code under `/assets` from this process: no CDN, the page works offline.
 * A missing bundle is a clear 404, not a crash; the bundle is built by `npm install` / `npm run build`.
 */
export function staticAssets(webDir: string = defaultWebDir): express.Router {
  const router = express.Router();
  router.use('/assets', express.static(webDir, { index: false, fallthrough: true, maxAge: 0 }));
  router.use('/assets', (_req, res) => {
    res.status(404).type('text/plain').send('asset not found (run `npm run build` to bundle dist/web)\n');
  });
  return router;
}

export function bundleExists(webDir: string, name: string): boolean {
  return fs.existsSync(path.join(webDir, name));
}
