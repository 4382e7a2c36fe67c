export { createApp, listenHttp } from './http-server.js';
export type { HttpServer } from './http-server.js';
export { CHAT_PAGE_PATH, CHAT_WS_PATH, mountChatPage } from './chat-page.js';
export { ASSETS_PATH, serveWebAssets, WEB_DIST } from './static-assets.js';
export { UpgradeRouter, upgradeRouterFor } from './upgrade-router.js';
export type { UpgradeRouteOptions } from './upgrade-router.js';
