import { chromium, type Browser, type Page } from 'playwright-core';
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
