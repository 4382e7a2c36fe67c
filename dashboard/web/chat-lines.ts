/**
 * Reads the server's §3 lines (DESIGN §3) into typed events for the browser chat page. Pure: no DOM,
 * so it is tested in Node. The parsing is protocol/'s (its Node-free face, protocol/lines.ts); this
 * file only shapes the result for the page.
 */
import { parseChatLine as parseProtocolChatLine, parseErrorLine, parseSystemLine, type RoomCount } from '../../protocol/lines.js';

export type ChatLine =
  | { kind: 'greeting' }
  | { kind: 'welcome'; nick: string; rooms: string[]; active: string; restored: boolean }
  | { kind: 'joined'; nick: string; room: string }
  | { kind: 'left'; nick: string; room: string }
  | { kind: 'active'; room: string }
  | { kind: 'renamed'; from: string; to: string }
  | { kind: 'rooms'; total: number; rooms: RoomCount[] }
  | { kind: 'users'; room: string; nicks: string[] }
  | { kind: 'history-header'; room: string }
  | { kind: 'history'; room: string; time: string; nick: string; text: string }
  | { kind: 'no-history'; room: string }
  | { kind: 'message'; room: string; nick: string; text: string; self: boolean }
  | { kind: 'pm'; direction: 'from' | 'to'; nick: string; text: string }
  | { kind: 'error'; text: string; takenNick: string | null }
  | { kind: 'system'; text: string };

export type { RoomCount };

export function parseChatLine(line: string): ChatLine {
  if (line.startsWith('[')) {
    const chat = parseProtocolChatLine(line);
    if (chat !== null) return chat;
  }
  if (line.startsWith('! ')) {
    const error = parseErrorLine(line);
    return { kind: 'error', text: error.text, takenNick: error.kind === 'nick_taken' ? error.nick : null };
  }
  if (!line.startsWith('* ')) return { kind: 'system', text: line };
  const l = parseSystemLine(line);
  switch (l.kind) {
    case 'greeting': return { kind: 'greeting' };
    case 'welcome': return { kind: 'welcome', nick: l.nick, rooms: [l.room], active: l.room, restored: false };
    case 'welcomeBack': return { kind: 'welcome', nick: l.nick, rooms: l.rooms, active: l.active, restored: true };
    case 'joined':
    case 'left': return { kind: l.kind, nick: l.nick, room: l.room };
    case 'active': return { kind: 'active', room: l.room };
    case 'renamed': return { kind: 'renamed', from: l.from, to: l.to };
    case 'rooms': return { kind: 'rooms', total: l.total, rooms: l.shown };
    case 'users': return { kind: 'users', room: l.room, nicks: l.nicks };
    case 'historyHeader': return { kind: 'history-header', room: l.room };
    case 'history': return { kind: 'history', room: l.room, time: l.time, nick: l.nick, text: l.text };
    case 'noHistory': return { kind: 'no-history', room: l.room };
    default: return { kind: 'system', text: line.slice(2) };
  }
}

/** A stable hue (0–359) per nickname, so that each person keeps one colour on every page. */
export function nickHue(nick: string): number {
  let h = 0x811c9dc5;
  const s = nick.toLowerCase();
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 360;
}
