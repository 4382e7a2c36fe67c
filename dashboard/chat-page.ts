import type http from 'node:http';
import path from 'node:path';
import type express from 'express';
import { createChatWebSocketServer, type ChatServer } from '../server/index.js';
import { serveWebAssets, WEB_SOURCE } from './static-assets.js';
import { upgradeRouterFor } from './upgrade-router.js';

export const CHAT_PAGE_PATH = '/chat';
export const CHAT_WS_PATH = '/chat/ws';

/**
 * The browser chat client: `GET /chat` (page + bundle) and `WS /chat/ws` into the same chat core.
 * Its CSP (only this origin's scripts and sockets) is the origin's one, set on every response.
 */
export function mountChatPage(app: express.Express, server: http.Server, chat: ChatServer): void {
  serveWebAssets(app);
  app.get(CHAT_PAGE_PATH, (_req, res) => {
    res.sendFile(path.join(WEB_SOURCE, 'chat.html'));
  });
  upgradeRouterFor(server).add(CHAT_WS_PATH, createChatWebSocketServer(chat), { sameOrigin: true });
}
