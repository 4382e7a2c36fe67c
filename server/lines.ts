/** Formats the server's outgoing lines (DESIGN §3 markers). Every function returns one `\n`-ended line. */
import { defuseControls } from './controls.js';
import type { HistoryLine } from './history-store.js';

export const WELCOME = '* Welcome to chatpulse. Choose a nickname with /nick NAME';

export function system(text: string): Buffer {
  return Buffer.from(`* ${text}\n`);
}

export function error(text: string): Buffer {
  return Buffer.from(`! ${text}\n`);
}

export function roomMessage(room: string, nick: string, text: string): Buffer {
  return Buffer.from(`[${room}] ${nick}: ${text}\n`);
}

export function pmFrom(nick: string, text: string): Buffer {
  return Buffer.from(`[PM from ${nick}] ${text}\n`);
}

export function pmTo(nick: string, text: string): Buffer {
  return Buffer.from(`[PM to ${nick}] ${text}\n`);
}

function hhmmss(ts: number): string {
  return new Date(ts).toISOString().slice(11, 19);
}

/**
 * History is sent as system lines (`* [dev] 14:03:05 bob: hi`), after a header that says how many
 * follow, so that programs never mistake a replayed line for a new message.
 */
export function history(room: string, lines: readonly HistoryLine[]): Buffer {
  if (lines.length === 0) return system(`no history in #${room} yet`);
  const parts = [`* history of #${room}: last ${lines.length} line${lines.length === 1 ? '' : 's'} (UTC)\n`];
  // Rows stored before control characters were refused (or relayed by an older node) stay inert.
  for (const l of lines) parts.push(`* [${l.room}] ${hhmmss(l.ts)} ${l.nick}: ${defuseControls(l.text)}\n`);
  return Buffer.from(parts.join(''));
}

export const HELP = [
  'commands:',
  '  /nick NAME          set or change your nickname (1-32 letters, digits, _ - .)',
  '  /join ROOM          join a room (created on demand) and make it active; shows its last 20 lines',
  '  /leave [ROOM]       leave a room (default: the active one)',
  '  /rooms              rooms with member counts',
  '  /users [ROOM]       members of a room (default: the active one)',
  '  /pm NICK TEXT       private message (alias /msg)',
  '  /history [N]        last N lines of the active room (default 20, max 200)',
  '  /help               this text',
  '  /quit               close the connection',
  '  anything else       a message to your active room',
].map((l) => `* ${l}\n`).join('');
