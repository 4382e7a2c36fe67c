import { ChatEvents, startChatServer, type ChatServer, type ChatServerOptions } from '../../server/index.js';
import { openDatabase, type Db } from '../../store/database.js';
import { tempDir } from './temp.js';

export interface TestServer {
  server: ChatServer;
  port: number;
  events: ChatEvents;
  db: Db;
  dbFile: string;
  stop(): Promise<void>;
}

/** A real chat server on port 0 with a throwaway SQLite file. */
export async function startTestServer(opts: ChatServerOptions = {}, dbFile?: string): Promise<TestServer> {
  const tmp = dbFile ? undefined : tempDir();
  const file = dbFile ?? `${tmp?.dir}/chat.db`;
  const db = openDatabase(file);
  const events = opts.events ?? new ChatEvents();
  const server = await startChatServer({ port: 0, ...opts, db, events });
  return {
    server, port: server.address.port, events, db, dbFile: file,
    async stop() {
      await server.close(500);
      db.close();
      tmp?.cleanup();
    },
  };
}
