import { chromium, type Browser, type Page } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { findTool } from './require-tool.js';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Debian chromium, or null when it is not installed (the caller skips with a line naming the
 * package). Under CI=true a missing chromium is an error, never a silent skip.
 */
export async function launchChromium(): Promise<Browser | null> {
  if (findTool('chromium', 'chromium', CHROMIUM) === undefined) return null;
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Everything a page did that a test may want to refuse: foreign requests, console errors, dialogs. */
export interface PageWatch {
  foreign: string[];
  consoleErrors: string[];
  dialogs: string[];
}

/** Records requests to any origin but `origin` (http and ws), console errors, page errors and dialogs. */
export function watchPage(page: Page, origin: string): PageWatch {
  const w: PageWatch = { foreign: [], consoleErrors: [], dialogs: [] };
  const host = new URL(origin).host;
  const local = (url: string) => url.startsWith('data:') || url.startsWith('blob:') || new URL(url).host === host;
  page.on('request', (r) => {
    if (!local(r.url())) w.foreign.push(r.url());
  });
  page.on('websocket', (ws) => {
    if (!local(ws.url())) w.foreign.push(ws.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') w.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => w.consoleErrors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  return w;
}

/** A self-contained page opened from file:// with the network off: what it tried to fetch, its errors and dialogs. */
export interface OfflinePage {
  page: Page;
  /** Every request but the file itself (each was refused). */
  requested: string[];
  errors: string[];
  dialogs: string[];
  close(): Promise<void>;
}

/**
 * Opens `file` (a path) in a fresh offline context, every request but the file aborted and recorded,
 * and waits for the page's `body[data-ready="true"]`.
 */
export async function openOffline(browser: Browser, file: string): Promise<OfflinePage> {
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ offline: true });
  const page = await context.newPage();
  const o: OfflinePage = { page, requested: [], errors: [], dialogs: [], close: () => context.close() };
  page.on('pageerror', (e) => o.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') o.errors.push(m.text());
  });
  page.on('dialog', (d) => {
    o.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== url && !o.requested.includes(r.url())) o.requested.push(r.url());
  });
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  return o;
}
