export { createApp, listenHttp } from './http-server.js';
export type { HttpServer } from './http-server.js';
