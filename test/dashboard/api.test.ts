import { parse } from 'csv-parse/sync';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { attachDashboard, createApp, listenHttp, metricsRunSource, type Dashboard, type HttpServer } from '../../dashboard/index.js';
import type { ErrorResponse, RunsResponse, SamplesResponse } from '../../dashboard/index.js';
import { RunStore } from '../../metrics/index.js';
import { openDatabase, type Db } from '../../store/database.js';
import { makeSnapshot } from '../helpers/snapshots.js';
import { tempDir } from '../helpers/temp.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const T0 = 1_700_000_000_000;
interface Ctx { tmp: ReturnType<typeof tempDir>; db: Db; store: RunStore; http: HttpServer; dash: Dashboard; base: string; runId: string; oldId: string }
const ctx = {} as Ctx;

const s = suite('dashboard API');
s.before(async () => {
  ctx.tmp = tempDir();
  ctx.db = openDatabase(`${ctx.tmp.dir}/t.db`);
  ctx.store = new RunStore(ctx.db);
  const old = ctx.store.startRun({ label: 'old', start: T0 - 3_600_000 });
  ctx.store.record(makeSnapshot(1, { runId: old.id, t0: T0 - 3_600_000 }));
  ctx.store.finishRun(old.id, 'completed');
  const run = ctx.store.startRun({ label: HOSTILE, start: T0 });
  for (let t = 1; t <= 30; t++) ctx.store.record(makeSnapshot(t, { runId: run.id, rooms: ['main', 'b', '=HYPERLINK("x")'], t0: T0 }));
  ctx.runId = run.id;
  ctx.oldId = old.id;
  const app = createApp();
  ctx.http = await listenHttp(app, '127.0.0.1', 0);
  ctx.dash = attachDashboard({
    app, server: ctx.http.server, reader: metricsRunSource(ctx.store, () => run.id), onReport: () => {}, maxSamplesPerResponse: 12,
  });
  ctx.base = `http://127.0.0.1:${ctx.http.address.port}`;
});
s.after(async () => {
  await ctx.dash.close();
  await ctx.http.close();
  ctx.db.close();
  ctx.tmp.cleanup();
});

const get = (path: string) => fetch(`${ctx.base}${path}`);
const json = async <T>(path: string) => {
  const res = await get(path);
  return { status: res.status, body: (await res.json()) as T };
};

s('/api/runs lists runs newest first, labels as JSON text, and names the current run', async () => {
  const { status, body } = await json<RunsResponse>('/api/runs');
  assert.is(status, 200);
  assert.is(body.type, 'runs');
  assert.equal(body.runs.map((r) => r.id), [ctx.runId, ctx.oldId]);
  assert.is(body.runs[0]?.label, HOSTILE);
  assert.is(body.runs[0]?.ticks, 30);
  assert.is(body.currentRunId, ctx.runId);
});

s('/samples pages through a run and honours from/to', async () => {
  const id = encodeURIComponent(ctx.runId);
  const first = await json<SamplesResponse>(`/api/runs/${id}/samples`);
  assert.is(first.status, 200);
  assert.equal(first.body.snapshots.map((x) => x.tick), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.is(first.body.truncated, true);
  assert.is(first.body.snapshots[0]?.rooms.length, 3);
  const from = T0 + 5000;
  const to = T0 + 8000;
  const range = await json<SamplesResponse>(`/api/runs/${id}/samples?from=${from}&to=${to}`);
  assert.equal(range.body.snapshots.map((x) => x.tick), [5, 6, 7, 8]);
  assert.is(range.body.truncated, false);
  assert.equal([range.body.from, range.body.to], [from, to]);
});

s('/samples?every=N thins a long run for one replay: ticks 1, 1+N, 1+2N, … and the last, paged as before', async () => {
  const id = encodeURIComponent(ctx.runId);
  const seven = await json<SamplesResponse>(`/api/runs/${id}/samples?every=7`);
  assert.equal(seven.body.snapshots.map((x) => x.tick), [1, 8, 15, 22, 29, 30]);
  assert.equal([seven.body.every, seven.body.truncated], [7, false]);
  assert.ok(seven.body.snapshots.every((x) => x.rooms.length === 3), 'each kept tick with its rooms');
  // 16 kept ticks, 12 a page: the second page goes on from the last time, still thinned.
  const two = await json<SamplesResponse>(`/api/runs/${id}/samples?every=2`);
  assert.equal(two.body.snapshots.map((x) => x.tick), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23]);
  assert.is(two.body.truncated, true);
  const next = await json<SamplesResponse>(`/api/runs/${id}/samples?every=2&from=${(two.body.snapshots.at(-1)?.time ?? 0) + 1}`);
  assert.equal(next.body.snapshots.map((x) => x.tick), [25, 27, 29, 30]);
  assert.equal((await json<SamplesResponse>(`/api/runs/${id}/samples?from=${T0 + 5000}&to=${T0 + 8000}`)).body.every, 1);
});

s('bad parameters are 400 and unknown runs 404, as JSON without a stack trace', async () => {
  const id = encodeURIComponent(ctx.runId);
  for (const [path, status, re] of [
    [`/api/runs/${id}/samples?from=abc`, 400, /from must be a time in epoch milliseconds/],
    [`/api/runs/${id}/samples?to=-5`, 400, /to must be a time in epoch milliseconds/],
    [`/api/runs/${id}/samples?from=10&to=5`, 400, /from \(10\) is after to \(5\)/],
    [`/api/runs/${id}/samples?from=1&from=2`, 400, /from must be/],
    [`/api/runs/${id}/rooms.csv?from=1e5`, 400, /from must be/],
    [`/api/runs/${id}/rooms.csv?form=1`, 400, /unknown parameter "form": only from and to are read/],
    [`/api/runs/${id}/samples?from[a]=1`, 400, /unknown parameter "from\[a\]": only from, to and every are read/],
    [`/api/runs/${id}/samples?every=0`, 400, /every must be a whole number of ticks from 1 to 9999999, got "0"/],
    [`/api/runs/${id}/samples?every=2.5`, 400, /every must be a whole number of ticks/],
    [`/api/runs/${id}/samples?every=3&every=4`, 400, /every must be a whole number of ticks/],
    [`/api/runs/${id}/totals.csv?every=2`, 400, /unknown parameter "every": only from and to are read/],
    ['/api/runs/%ff/samples', 400, /not valid percent-encoded UTF-8/],
    ['/api/runs/a%/totals.csv', 400, /not valid percent-encoded UTF-8/],
    ['/api/runs/nope/samples', 404, /no run with id "nope"/],
    ['/api/runs/nope/totals.csv', 404, /no run with id "nope"/],
    ['/api/nothing-here', 404, /no such API endpoint/],
  ] as const) {
    const res = await get(path);
    const text = await res.text();
    assert.is(res.status, status, path);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = JSON.parse(text) as ErrorResponse;
    assert.equal([body.type, body.status], ['error', status]);
    assert.match(body.error, re);
    assert.not.match(text, /at .*\.js:\d+/, 'no stack trace');
  }
});

s("?token= (the access gate's, which may stay in the query) is not an unknown parameter", async () => {
  const id = encodeURIComponent(ctx.runId);
  assert.is((await get(`/api/runs/${id}/totals.csv?token=abc`)).status, 200);
  assert.is((await get(`/api/runs/${id}/samples?from=${T0}&token=abc`)).status, 200);
});

s('rooms.csv and totals.csv: the whole run, or only the range asked for', async () => {
  const id = encodeURIComponent(ctx.runId);
  const res = await get(`/api/runs/${id}/rooms.csv`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename=".*-rooms\.csv"/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const text = bytes.toString('utf8');
  assert.ok(text.startsWith('\uFEFFtime_utc,epoch_ms'), 'header');
  const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
  assert.is(rows.length, 30 * 3);
  assert.ok(rows.some((r) => r.room === "'=HYPERLINK(\"x\")"), 'formula escaped');
  const ranged = parse(await (await get(`/api/runs/${id}/rooms.csv?from=${T0 + 10_000}&to=${T0 + 12_000}`)).text(), { bom: true, columns: true }) as Record<string, string>[];
  assert.equal([...new Set(ranged.map((r) => Number(r.epoch_ms)))], [T0 + 10_000, T0 + 11_000, T0 + 12_000]);
  const totals = parse(await (await get(`/api/runs/${id}/totals.csv?to=${T0 + 3000}`)).text(), { bom: true, columns: true }) as Record<string, string>[];
  assert.equal(totals.map((r) => Number(r.epoch_ms)), [T0 + 1000, T0 + 2000, T0 + 3000]);
});

s('the page and its bundle come from this process, with a same-origin CSP', async () => {
  const page = await get('/');
  assert.is(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none';script-src 'self';/);
  const html = await page.text();
  assert.match(html, /<script type="module" src="\/assets\/dashboard\.js"><\/script>/);
  assert.not.match(html, /https?:\/\//, 'no external URL in the page');
  const js = await get('/assets/dashboard.js');
  assert.is(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.ok((await js.text()).length > 100_000, 'Chart.js is bundled in');
  assert.is((await get('/assets/nope.js')).status, 404);
});

s.run();
