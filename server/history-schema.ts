import type { Db } from '../store/database.js';

export function createHistorySchema(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS chat_history (
    id INTEGER PRIMARY KEY, room_key TEXT NOT NULL, room TEXT NOT NULL,
    ts INTEGER NOT NULL, nick TEXT NOT NULL, text TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS chat_history_room ON chat_history(room_key, id);`);
}
