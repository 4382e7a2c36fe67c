/** A chart point: epoch-ms x, value y (null draws a gap). Chart.js reads these as-is (`parsing: false`). */
export interface Point {
  x: number;
  y: number | null;
}

/**
 * One line's points, bounded: past `max` it keeps every other point (the newest always), so hours of
 * data cost at most `max` points while still spanning the whole run. Decimation then draws it cheaply.
 */
export class Series {
  points: Point[] = [];
  readonly max: number;

  /** @default 4000 */
  constructor(max = 4000) {
    this.max = max;
  }

  push(x: number, y: number | null): void {
    this.points.push({ x, y });
    if (this.points.length > this.max) {
      const last = this.points[this.points.length - 1] as Point;
      this.points = this.points.filter((_, i) => i % 2 === 0);
      if (this.points[this.points.length - 1] !== last) this.points.push(last);
    }
  }

  clear(): void {
    this.points = [];
  }
}
