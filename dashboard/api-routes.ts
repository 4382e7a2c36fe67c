import express from 'express';
import type { ErrorResponse, RunsResponse, SamplesResponse } from './frames.js';
import type { RunSource, TimeRange } from './run-source.js';
import { ALLOWED_METHODS, isReadMethod, methodNotAllowed } from './read-only.js';

export interface ApiOptions {
  reader: RunSource;
  /** Most ticks one `/samples` answer carries; the client pages on with `from`. @default 2000 */
  maxSamplesPerResponse?: number;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * `/api/runs`, `/api/runs/:id/samples`, `/api/runs/:id/rooms.csv` and `/totals.csv`. Bad parameters get
 * a 400 and unknown runs a 404, as `ErrorResponse` JSON; nothing here answers with a stack trace.
 */
export function apiRoutes(options: ApiOptions): express.Router {
  const { reader, maxSamplesPerResponse = 2000 } = options;
  const router = express.Router();

  router.get('/api/runs', (_req, res) => {
    const body: RunsResponse = { type: 'runs', runs: reader.listRuns(), currentRunId: reader.currentRunId() };
    res.json(body);
  });

  router.get('/api/runs/:id/samples', (req, res) => {
    const run = findRun(reader, req.params.id);
    const { every: everyParam, ...rest } = req.query as Record<string, unknown>;
    const range = parseRange(rest, 'from, to and every');
    const every = parseEvery(everyParam);
    const { snapshots, truncated } = reader.samples(run.id, range, maxSamplesPerResponse, every);
    const body: SamplesResponse = { type: 'samples', run, from: range.from ?? null, to: range.to ?? null, every, snapshots, truncated };
    res.json(body);
  });

  for (const kind of ['rooms', 'totals'] as const) {
    router.get(`/api/runs/:id/${kind}.csv`, async (req, res) => {
      const run = findRun(reader, req.params.id);
      const range = parseRange(req.query);
      const suffix = range.from !== undefined || range.to !== undefined ? '-range' : '';
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${safeName(run.id)}-${kind}${suffix}.csv"`);
      res.setHeader('Cache-Control', 'no-store');
      await reader.writeCsv(run.id, kind, range, res);
    });
  }

  router.use('/api', (req, _res, next) =>
    next(isReadMethod(req.method) ? new HttpError(404, 'no such API endpoint') : new HttpError(405, methodNotAllowed(req.method, req.originalUrl.split('?')[0] ?? ''))));
  router.use('/api', ((err, _req, res, _next) => {
    const known = err instanceof HttpError ? err : isUndecodablePath(err) ? new HttpError(400, 'the URL path is not valid percent-encoded UTF-8') : undefined;
    // A download the client stopped reading is not our error to report.
    const clientLeft = (err as { code?: unknown })?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (known === undefined && !clientLeft) console.error(`dashboard: API error: ${(err as Error)?.message ?? String(err)}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = known?.status ?? 500;
    if (status === 405) res.setHeader('Allow', ALLOWED_METHODS);
    const body: ErrorResponse = { type: 'error', status, error: known?.message ?? 'internal error' };
    res.status(status).json(body);
  }) as express.ErrorRequestHandler);
  return router;
}

function findRun(reader: RunSource, id: string | string[] | undefined) {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw new HttpError(400, 'run id must be 1-200 characters');
  const run = reader.getRun(id);
  if (run === undefined) throw new HttpError(404, `no run with id ${JSON.stringify(id)}`);
  return run;
}

/**
 * Express's refusal of a path parameter it cannot decode (`/api/runs/%ff/samples`): a URIError it
 * marks 400 itself. The client's mistake, not ours.
 */
function isUndecodablePath(err: unknown): boolean {
  return err instanceof URIError && (err as URIError & { status?: number }).status === 400;
}

/** `token` is the access gate's (it may stay in the query when a cookie or header already let the request in). */
const RANGE_PARAMS = new Set(['from', 'to', 'token']);

/**
 * `from`/`to`: epoch milliseconds (integers); either may be left out. Any other parameter is refused:
 * a typo (`?form=`) must not quietly answer with the whole run.
 */
export function parseRange(query: Record<string, unknown>, read = 'from and to'): TimeRange {
  for (const key of Object.keys(query)) {
    if (!RANGE_PARAMS.has(key)) throw new HttpError(400, `unknown parameter ${JSON.stringify(key.slice(0, 40))}: only ${read} are read`);
  }
  const from = parseTime(query.from, 'from');
  const to = parseTime(query.to, 'to');
  if (from !== null && to !== null && from > to) throw new HttpError(400, `from (${from}) is after to (${to})`);
  return { ...(from !== null && { from }), ...(to !== null && { to }) };
}

/** Thinning of `/samples`: a whole number of ticks, 1 (every tick) unless given. */
function parseEvery(v: unknown): number {
  if (v === undefined || v === '') return 1;
  if (typeof v !== 'string' || !/^\d{1,7}$/.test(v) || Number(v) < 1) {
    throw new HttpError(400, `every must be a whole number of ticks from 1 to 9999999, got ${JSON.stringify(v).slice(0, 40)}`);
  }
  return Number(v);
}

function parseTime(v: unknown, name: string): number | null {
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) {
    throw new HttpError(400, `${name} must be a time in epoch milliseconds (digits only), got ${JSON.stringify(v).slice(0, 40)}`);
  }
  return Number(v);
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}
