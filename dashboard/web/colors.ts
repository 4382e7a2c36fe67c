const OTHER = '#9ca3af';

/**
 * A colour per room that stays the same across refreshes, replays and browsers: it depends on the room
 * name only (FNV-1a hash), never on arrival order. 24 hues × 2 lightnesses keep near rooms apart.
 */
export function roomColor(room: string): string {
  if (room === '_other') return OTHER;
  let h = 0x811c9dc5;
  for (let i = 0; i < room.length; i++) {
    h ^= room.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995) >>> 0;
  const hue = (h % 24) * 15;
  const light = (h >>> 8) % 2 === 0 ? 40 : 52;
  return `hsl(${hue} 70% ${light}%)`;
}

export function withAlpha(color: string, alpha: number): string {
  if (color.startsWith('#') && color.length === 7) {
    const a = Math.round(alpha * 255).toString(16).padStart(2, '0');
    return `${color}${a}`;
  }
  return color.replace(/\)$/, ` / ${alpha})`);
}
