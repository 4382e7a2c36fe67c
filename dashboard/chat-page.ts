import type http from 'node:http';
import path from 'node:path';
import type express from 'express';
import { createChatWebSocketServer, type ChatServer } from '../server/index.js';
import { serveWebAssets, WEB_SOURCE } from './static-assets.js';
import { upgradeRouterFor } from './upgrade-router.js';

export const CHAT_PAGE_PATH = '/chat';
export const CHAT_WS_PATH = '/chat/ws';

/**
 * Only this origin's scripts and sockets; the page's own inline style is the one exception. User text
 * is never HTML (the page uses textContent), and this header is the second lock on that door.
 */
const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The browser chat client: `GET /chat` (page + bundle) and `WS /chat/ws` into the same chat core. */
export function mountChatPage(app: express.Express, server: http.Server, chat: ChatServer): void {
  serveWebAssets(app);
  app.get(CHAT_PAGE_PATH, (_req, res) => {
    res.set('Content-Security-Policy', CSP);
    res.set('X-Content-Type-Options', 'nosniff');
    res.sendFile(path.join(WEB_SOURCE, 'chat.html'));
  });
  upgradeRouterFor(server).add(CHAT_WS_PATH, createChatWebSocketServer(chat), { sameOrigin: true });
}
