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

const mounted = Symbol('chatpulse.assets');

/**
 * Serves the bundled browser code under `/assets` (idempotent per app, so every page that needs it
 * may call it). Everything a page loads comes from this process: no CDN, works offline.
 */
export function serveWebAssets(app: express.Express): void {
  const locals = app.locals as Record<symbol, boolean>;
  if (locals[mounted]) return;
  locals[mounted] = true;
  app.use(ASSETS_PATH, express.static(WEB_DIST, { index: false, fallthrough: false, maxAge: 0 }));
}
