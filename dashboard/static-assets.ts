import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

/** The package root, from this file's place in `dist/dashboard/`. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where scripts/bundle-web.mjs writes the browser bundles. */
export const WEB_DIST = path.join(PACKAGE_ROOT, 'dist/web');
/** Hand-written pages (HTML) beside the browser TypeScript. */
export const WEB_SOURCE = path.join(PACKAGE_ROOT, 'dashboard/web');
export const ASSETS_PATH = '/assets';
/** @deprecated name kept for the dashboard's callers: same as WEB_DIST. */
export const defaultWebDir = WEB_DIST;

/**
 * Serves the bundled browser code under `/assets` from this process: no CDN, the page works offline.
 * A missing bundle is a clear 404, not a crash; the bundle is built by `npm install` / `npm run build`.
 */
export function staticAssets(webDir: string = WEB_DIST): express.Router {
  const router = express.Router();
  router.use(ASSETS_PATH, express.static(webDir, { index: false, fallthrough: true, maxAge: 0 }));
  router.use(ASSETS_PATH, (_req, res) => {
    res.status(404).type('text/plain').send('asset not found (run `npm run build` to bundle dist/web)\n');
  });
  return router;
}

const mounted = Symbol('chatpulse.assets');

/** Mounts `staticAssets` once per app, so every page that needs the bundles may call it. */
export function serveWebAssets(app: express.Express, webDir: string = WEB_DIST): void {
  const locals = app.locals as Record<symbol, boolean>;
  if (locals[mounted]) return;
  locals[mounted] = true;
  app.use(staticAssets(webDir));
}

export function bundleExists(webDir: string, name: string): boolean {
  return fs.existsSync(path.join(webDir, name));
}
