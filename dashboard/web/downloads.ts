import type { Chart } from 'chart.js';
import { paths } from '../../protocol/dashboard-frames.js';

/** Starts a browser download of `url` (same origin) as `name`. */
export function download(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** The server streams CSV of the whole run, or of `[from, to]` (epoch ms) when a range is given. */
export function csvUrl(runId: string, kind: 'rooms' | 'totals', range?: { min: number; max: number }): string {
  const base = kind === 'rooms' ? paths.roomsCsv(runId) : paths.totalsCsv(runId);
  if (range === undefined) return base;
  return `${base}?from=${Math.max(0, Math.floor(range.min))}&to=${Math.max(0, Math.ceil(range.max))}`;
}

/** A PNG of the chart on a white background (the canvas itself is transparent). */
export function downloadPng(chart: Chart, name: string): void {
  const src = chart.canvas;
  const out = document.createElement('canvas');
  out.width = src.width;
  out.height = src.height;
  const ctx = out.getContext('2d');
  if (ctx === null) return;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(src, 0, 0);
  download(out.toDataURL('image/png'), name);
}
