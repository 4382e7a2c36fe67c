/**
 * MQTT's refusal codes as the loadgen's stable error kinds (chatpulse's names where they mean the same):
 * CONNACK return codes (3.1.1) and reason codes (5), and the reason of a server's DISCONNECT (5 only).
 */

const CONNACK_V4: Record<number, string> = {
  1: 'unsupported_version', 2: 'bad_name', 3: 'server_unavailable', 4: 'bad_credentials', 5: 'not_allowed',
};

const CONNACK_V5: Record<number, string> = {
  0x84: 'unsupported_version', 0x85: 'bad_name', 0x86: 'bad_credentials', 0x87: 'not_allowed',
  0x88: 'server_unavailable', 0x89: 'server_unavailable', 0x8a: 'banned', 0x97: 'quota_exceeded',
};

const DISCONNECT_V5: Record<number, string> = {
  0x8b: 'server_closed', 0x8d: 'disconnect_ping_timeout', 0x8e: 'disconnect_session_taken_over',
  0x93: 'disconnect_flood', 0x95: 'disconnect_too_large', 0x97: 'disconnect_quota', 0x98: 'disconnect_admin',
};

/** A refused CONNACK's kind; `login_refused` for a code not listed. */
export function connackKind(version: 4 | 5, code: number): string {
  return (version === 5 ? CONNACK_V5 : CONNACK_V4)[code] ?? 'login_refused';
}

/** A server DISCONNECT's kind; `disconnect_other` for a reason not listed. */
export function disconnectKind(code: number): string {
  return DISCONNECT_V5[code] ?? 'disconnect_other';
}
