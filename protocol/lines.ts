/**
 * Every line's formatter and parser, and nothing that needs Node: the browser chat page imports this
 * file; everything else imports protocol/index.ts, which re-exports it.
 */
export { CHAT_BYTES, formatChatLine, parseChatLine, pmPrefix, roomPrefix, YOU } from './chat-lines.js';
export type { ChatLine } from './chat-lines.js';
export { errorKind, errorText, formatErrorLine, isClosingKind, parseErrorLine } from './errors.js';
export type { ClosingKind, ErrorKind, ErrorLine } from './errors.js';
export { formatSystemLine, parseSystemLine } from './system-lines.js';
export type { RoomCount, SystemLine, SystemLineKind } from './system-lines.js';
