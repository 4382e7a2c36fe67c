import path from 'node:path';
import type express from 'express';
import { createApp, listenHttp, mountChatPage, type HttpServer } from '../dashboard/index.js';
import { ChatEvents, startChatServer, type ChatOptions, type ChatServer } from '../server/index.js';
import { openDatabase, type Db } from '../store/database.js';

/** Everything `chatpulse server` runs in one process. */
export interface HubOptions extends ChatOptions {
  host: string;
  port: number;
  httpHost: string;
  httpPort: number;
  /** SQLite file; default `<resultsDir>/chatpulse.db`. */
  db: string;
  resultsDir: string;
}

export interface Hub {
  readonly options: HubOptions;
  readonly db: Db;
  readonly events: ChatEvents;
  readonly chat: ChatServer;
  readonly http: HttpServer;
  readonly app: express.Express;
  /** Idempotent: stop accepting, tell clients, flush, close the store. */
  close(): Promise<void>;
}

export function defaultDbPath(resultsDir: string): string {
  return path.join(resultsDir, 'chatpulse.db');
}

/**
 * Opens the store, starts the chat server and the HTTP listener. If the HTTP port is busy the chat
 * listener is closed again, so a failed start leaves nothing behind.
 */
export async function startHub(options: HubOptions): Promise<Hub> {
  const db = openDatabase(options.db);
  const events = new ChatEvents();
  const app = createApp();
  let chat: ChatServer | undefined;
  let http: HttpServer | undefined;
  try {
    chat = await startChatServer({ ...options, db, events });
    http = await listenHttp(app, options.httpHost, options.httpPort);
    mountChatPage(app, http.server, chat);
  } catch (err) {
    await chat?.close(0);
    db.close();
    throw err;
  }
  const chatServer = chat;
  const httpServer = http;
  let closing: Promise<void> | undefined;
  return {
    options, db, events, app, chat: chatServer, http: httpServer,
    close() {
      closing ??= (async () => {
        await chatServer.close(2000);
        await httpServer.close();
        db.close();
      })();
      return closing;
    },
  };
}
