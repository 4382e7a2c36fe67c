/** The element with `id`, or a clear error naming it (the page markup and the bundle must agree). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`dashboard: element #${id} is missing from the page`);
  return el as T;
}

/** Sets text, never HTML: room names, run labels and loadgen sources are user input. */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
export function formatNumber(n: number): string {
  return fmt.format(n);
}

/** `HH:MM:SS` local time, for time axes. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `mm:ss` (minutes grow past 99), for countdowns and replay positions. */
export function formatMinSec(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}
