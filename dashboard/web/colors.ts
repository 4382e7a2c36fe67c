/** Hand-picked, distinguishable on white; rooms past these get a hashed hue. */
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#4f46e5'];
const OTHER = '#9ca3af';

/**
 * A colour per room that stays the same across refreshes, replays and browsers: it depends on the room
 * name only (FNV-1a hash), never on arrival order.
 */
export function roomColor(room: string): string {
  if (room === '_other') return OTHER;
  let h = 0x811c9dc5;
  for (let i = 0; i < room.length; i++) {
    h ^= room.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const fixed = PALETTE[h % PALETTE.length] as string;
  // Mix in a hue shift so two rooms landing on one palette slot still differ a little.
  return (h >>> 8) % 3 === 0 ? fixed : `hsl(${(h >>> 4) % 360} 65% 42%)`;
}

export function withAlpha(color: string, alpha: number): string {
  if (color.startsWith('#') && color.length === 7) {
    const a = Math.round(alpha * 255).toString(16).padStart(2, '0');
    return `${color}${a}`;
  }
  return color.replace(/\)$/, ` / ${alpha})`);
}
