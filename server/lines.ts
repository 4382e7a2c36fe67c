/**
 * The server's outgoing lines as bytes (DESIGN §3). Their wording lives in protocol/, beside the
 * parsers that read it back; this file only turns it into `\n`-ended Buffers.
 */
import { defuseControls, formatErrorLine, formatSystemLine, pmPrefix, roomPrefix, type SystemLine } from '../protocol/index.js';
import type { HistoryLine } from './history-store.js';

export function system(line: SystemLine): Buffer {
  return Buffer.from(`${formatSystemLine(line)}\n`);
}

export function error(text: string): Buffer {
  return Buffer.from(`${formatErrorLine(text)}\n`);
}

export function roomMessage(room: string, nick: string, text: string): Buffer {
  return Buffer.from(`${roomPrefix(room, nick)}${text}\n`);
}

export function pmFrom(nick: string, text: string): Buffer {
  return Buffer.from(`${pmPrefix('from', nick)}${text}\n`);
}

export function pmTo(nick: string, text: string): Buffer {
  return Buffer.from(`${pmPrefix('to', nick)}${text}\n`);
}

function hhmmss(ts: number): string {
  return new Date(ts).toISOString().slice(11, 19);
}

/**
 * History is sent as system lines (`* [dev] 14:03:05 bob: hi`), after a header that says how many
 * follow, so that programs never mistake a replayed line for a new message.
 */
export function history(room: string, lines: readonly HistoryLine[]): Buffer {
  if (lines.length === 0) return system({ kind: 'noHistory', room });
  const parts = [`${formatSystemLine({ kind: 'historyHeader', room, count: lines.length })}\n`];
  for (const l of lines) {
    // Rows stored before control characters were refused (or relayed by an older node) stay inert.
    const line: SystemLine = { kind: 'history', room: l.room, time: hhmmss(l.ts), nick: l.nick, text: defuseControls(l.text) };
    parts.push(`${formatSystemLine(line)}\n`);
  }
  return Buffer.from(parts.join(''));
}
export const HELP = [
  'commands:',
  '  /nick NAME          set or change your nickname (1-32 letters, digits, _ - .; not You)',
  '  /join ROOM          join a room (created on demand) and make it active; shows its last 20 lines',
  '  /leave [ROOM]       leave a room (default: the active one)',
  '  /rooms              rooms with member counts',
  '  /users [ROOM]       members of a room (default: the active one)',
  '  /pm NICK TEXT       private message (alias /msg)',
  '  /history [N]        last N lines of the active room (default 20, max 200)',
  '  /help               this text',
  '  /quit               leave every room, free your nickname and close (the rooms come back if you do, soon)',
  '  anything else       a message to your active room',
].map((text) => `${formatSystemLine({ kind: 'other', text })}\n`).join('');
