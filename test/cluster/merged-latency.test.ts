import { deflateSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import * as hdr from 'hdr-histogram-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import type { LoadgenTickReport } from '../../loadgen/index.js';
import type { Snapshot } from '../../metrics/index.js';
import { eventually, startTestHub } from '../helpers/hub.js';

type TestHub = Awaited<ReturnType<typeof startTestHub>>;

/** The expected figures: one histogram over the raw values, built here with the library alone. */
function libraryHistogram(valuesUs: readonly number[]): hdr.JsHistogram {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 }) as hdr.JsHistogram;
  for (const v of valuesUs) h.recordValue(v);
  return h;
}

/** A report as a loadgen sends it: its own percentiles, and its histograms in the standard encoding. */
function report(source: string, valuesUs: readonly number[], lostTotal: number, over: Partial<LoadgenTickReport> = {}): string {
  const h = libraryHistogram(valuesUs);
  const ms = (p: number) => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000);
  const own = { p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9), max: h.maxValue / 1000, count: h.totalCount };
  const b64 = h.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(h);
  return JSON.stringify({
    type: 'loadgen-tick', source, target: 'chatpulse://127.0.0.1:1', time: Date.now(), elapsedS: 1, clients: 4,
    sent: valuesUs.length, received: valuesUs.length, sentTotal: 0, receivedTotal: 0, expectedTotal: 0, lostTotal,
    duplicatedTotal: 0, reorderedTotal: 0, latencyMs: { corrected: own, uncorrected: own },
    histograms: { corrected: b64, uncorrected: b64 }, errors: {}, saturated: false, ...over,
  } satisfies LoadgenTickReport);
}

async function open(h: TestHub): Promise<{ ws: WebSocket; errors: string[] }> {
  const ws = new WebSocket(`${h.httpUrl.replace('http:', 'ws:')}/ingest`);
  const errors: string[] = [];
  ws.on('message', (d) => errors.push((JSON.parse(String(d)) as { error: string }).error));
  ws.on('error', () => {});
  await new Promise((resolve) => ws.once('open', resolve));
  return { ws, errors };
}

/** Ticks on demand (the hub's own timer is an hour), once `accepted` reports have landed. */
async function tickAfter(h: TestHub, accepted: number): Promise<Snapshot> {
  await eventually(() => (h.hub.dashboard.stats().ingest.accepted === accepted ? true : undefined), `${accepted} reports accepted`);
  const agg = h.hub.metrics?.aggregator;
  if (!agg) throw new Error('no metrics');
  return agg.tick();
}

test('two generators, one stalled: combined percentiles are one histogram of every delivery, in the snapshot, totals.csv and the run', async () => {
  const h = await startTestHub({ interval: 3_600_000 });
  const stalled = await open(h);
  const healthy = await open(h);
  try {
    // Four clients behind a 1.5 s stall, and 250× the deliveries at about 2 ms (two reports in this tick).
    const slow = [1_400_000, 1_500_000, 1_500_000, 1_600_000];
    const fast = Array.from({ length: 1000 }, (_, i) => 1500 + i);
    stalled.ws.send(report('stalled', slow, 3));
    healthy.ws.send(report('healthy', fast.slice(0, 600), 0));
    healthy.ws.send(report('healthy', fast.slice(600), 2));
    const first = await tickAfter(h, 3);
    stalled.ws.send(report('stalled', [], 7));
    healthy.ws.send(report('healthy', [1800, 1900], 5));
    await tickAfter(h, 5);
    await tickAfter(h, 5); // a tick without reports

    const all = libraryHistogram([...slow, ...fast]);
    const worst = libraryHistogram(slow).getValueAtPercentile(99) / 1000;
    const l = first.totals.loadgen;
    assert.ok(l, 'the tick has a loadgen row');
    assert.is(l.p99Ms, all.getValueAtPercentile(99) / 1000, 'p99 of one histogram of all deliveries');
    assert.is.not(l.p99Ms, worst, 'not the stalled source\'s p99');
    assert.is(l.p50Ms, all.getValueAtPercentile(50) / 1000);
    assert.is(l.p999Ms, all.getValueAtPercentile(99.9) / 1000);
    assert.equal([l.sources, l.sent, l.samples, l.merged], [2, 1004, 1004, true]);
    assert.equal(first.loadgen.map((r) => [r.source, r.latencyMs.corrected.p99]).sort(),
      [['healthy', libraryHistogram(fast.slice(600)).getValueAtPercentile(99) / 1000], ['stalled', worst]], 'per-source figures kept');

    const runId = h.hub.metrics?.run.id as string;
    const csv = await (await fetch(`${h.httpUrl}/api/runs/${encodeURIComponent(runId)}/totals.csv`)).text();
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    assert.is(rows.length, 3);
    assert.is(rows[0]?.latency_p99_ms, String(all.getValueAtPercentile(99) / 1000), 'totals.csv: the merged p99');
    assert.is(rows[0]?.latency_p50_ms, String(all.getValueAtPercentile(50) / 1000));
    assert.equal(rows.map((r) => r.loadgen_lost), ['5', '7', ''], 'lost per tick');
    // The run lost 7 (stalled) + 5 (healthy): the column sums to it, as loadgen_sent sums to what was sent.
    assert.is(rows.reduce((sum, r) => sum + Number(r.loadgen_lost || 0), 0), 12);

    const run = h.hub.metrics?.aggregator.loadgenLatency();
    const everything = libraryHistogram([...slow, ...fast, 1800, 1900]);
    assert.is(run?.corrected.p99, everything.getValueAtPercentile(99) / 1000, 'whole run: one merged histogram');
    assert.is(run?.corrected.count, 1006);
  } finally {
    stalled.ws.terminate();
    healthy.ws.terminate();
    await h.stop();
  }
});

test('hostile histograms are refused with a reason and counted; the hub keeps serving and merging the good ones', async () => {
  const h = await startTestHub({ interval: 3_600_000 });
  const c = await open(h);
  try {
    const good = JSON.parse(report('good', [2000, 3000], 0)) as LoadgenTickReport;
    const withHistogram = (corrected: string) => JSON.stringify({ ...good, source: 'evil', histograms: { corrected, uncorrected: '' } });
    const framed = (body: Buffer) => {
      const z = deflateSync(body);
      const head = Buffer.alloc(8);
      head.writeInt32BE(0x1c849314, 0);
      head.writeInt32BE(z.length, 4);
      return Buffer.concat([head, z]).toString('base64');
    };
    const absurd = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 52, numberOfSignificantValueDigits: 3 });
    absurd.recordValue(2 ** 50);
    c.ws.send(withHistogram('A'.repeat(60_000))); // within the 64 KiB frame, over the histogram limit
    c.ws.send(withHistogram(framed(Buffer.alloc(16 * 1024 * 1024)))); // a zlib bomb: 16 MiB of zeros in 22 000 characters
    c.ws.send(withHistogram(hdr.encodeIntoCompressedBase64(absurd)));
    c.ws.send(JSON.stringify({ ...good, source: 'evil', histograms: { corrected: 42, uncorrected: '' } }));
    await eventually(() => (c.errors.length === 4 ? true : undefined), 'four ingest-error answers');
    assert.equal(c.errors.map((e) => e.replace(/ \(.*$/, '')), [
      'histograms.corrected is 60000 base64 characters',
      'histograms.corrected inflates to more than 131072 bytes',
      'histograms.corrected highest trackable value 4503599627370496 is outside 2..3600000000 µs',
      'histograms.corrected must be a base64 string',
    ]);
    c.ws.send(JSON.stringify(good));
    const s = await tickAfter(h, 1);
    assert.equal([s.totals.loadgen?.sources, s.totals.loadgen?.samples], [1, 2], 'only the good report counts');
    assert.equal(s.loadgen.map((r) => r.source), ['good'], 'no refused source is remembered');
    assert.is(h.hub.dashboard.stats().ingest.rejectedBy.invalid, 4);
    const metrics = await fetch(`${h.httpUrl}/metrics`);
    assert.is(metrics.status, 200);
    assert.match(await metrics.text(), /^chat_ingest_rejected_total\{reason="invalid"\} 4$/m);
  } finally {
    c.ws.terminate();
    await h.stop();
  }
});

test.run();
