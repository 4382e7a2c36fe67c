import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A page whose every request, WebSocket, page error and dialog is recorded. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const w: WatchedPage = { page, context, requests: [], errors: [], dialogs: [] };
  context.on('request', (r) => w.requests.push(r.url()));
  page.on('websocket', (ws) => w.requests.push(ws.url()));
  page.on('pageerror', (e) => w.errors.push(String(e)));
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  return w;
}
