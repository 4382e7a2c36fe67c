/**
 * `chatpulse compare`: the same seeded load against several servers in turn, in-process through
 * `runLoad()` (the loadgen's workers do the work; this thread only orchestrates). With `repeat`, the
 * order alternates (A B, B A, …) so that a machine drifting during the comparison does not always
 * favour the same target. With `findMax`, each target is stepped up from the given rate until it
 * stops keeping up, within bounded steps and time.
 */
import { adapterFor, defaultLoadOptions, percentileSpectrum, isSpecProtocol, LoadOptionsError, parseTarget, redactTarget, resolveLoadOptions, runLoad, targetUrl, type LoadOptions, type LoadSummary, type LoadgenTickReport, type Histogram, type ProtocolSpec, type SpectrumPoint } from '../loadgen/index.js';
import type { LoadAction } from '../loadgen/protocols/adapter.js';
import { addRatios, failedRow, rowOf, type CompareRow, type CompareTarget } from './compare-rows.js';
import { findMax, type FindMaxOptions, type FindMaxResult } from './find-max.js';

export interface CompareOptions {
  /** `NAME=PROTO://HOST:PORT` each; at least one. */
  targets: readonly string[];
  /**
   * The load, as for `runLoad` (targets and label are set per run). Its `spec` goes to every
   * spec-driven target (wsjson://, socketio://) without one of its own in `specs`, and to no other.
   */
  load: Partial<LoadOptions>;
  /** Per target name: the spec of the app it speaks (a target's `?spec=FILE`). */
  specs?: Readonly<Record<string, ProtocolSpec>>;
  /**
   * For the record (`config` in compare.json): the targets as typed, `?spec=FILE` included, and the
   * `--spec` file, so that a comparison can be run again from its JSON. @default `targets`
   */
  asGiven?: { targets: readonly string[]; specFile?: string };
  /** @default 1 */
  repeat: number;
  findMax?: FindMaxOptions;
  /** Pause between runs, so one server's stragglers do not land in the next run. @default 1000 */
  pauseMs: number;
  /** `--threshold` rules judged for every target's run (not the find-max steps, which have their own). */
  thresholds?: readonly string[];
}

export interface CompareHooks {
  signal?: AbortSignal;
  report?: string;
  /** Before each run: which target, which repeat or step, at what rate. */
  onRun?(target: CompareTarget, what: string): void;
  onTick?(target: CompareTarget, report: LoadgenTickReport): void;
  onSummary?(target: CompareTarget, summary: LoadSummary): void;
  onWarn?(message: string): void;
}

export interface CompareResult {
  targets: CompareTarget[];
  rows: CompareRow[];
  findMax: FindMaxResult[];
  startedAt: string;
  /** Ctrl-C/SIGTERM cut a run short or skipped runs: the figures cover only what happened. */
  stoppedEarly: boolean;
  /** Some run could not happen or measured nothing (its row's `status` says which and `why`). */
  incomplete: boolean;
  /** Some row's `--threshold` failed (its `thresholds` say which). */
  thresholdsFailed: boolean;
  /**
   * Actions some target's protocol cannot express, left out for every target so that all run one
   * schedule: which, and for whom why.
   */
  leftOut: LeftOut[];
  /** Per row (target and repeat): the corrected latency percentile spectrum of the whole run, from its HdrHistogram. */
  spectra: RunSpectrum[];
  /** The options as run: the load less the specs (the apps' descriptions) and less what was left out. */
  config: Omit<CompareOptions, 'load' | 'specs' | 'asGiven'> & { load: Partial<LoadOptions>; specFile?: string };
}

/**
 * `inspircd=irc://127.0.0.1:6667` → name and canonical URL (a password in it redacted: the URL is
 * printed and saved); names must be unique.
 */
export function parseCompareTargets(raw: readonly string[], protocol = 'chatpulse'): CompareTarget[] {
  return dialTargets(raw, protocol).map((d) => d.target);
}

/** Each target with the URL the load is run against (its secrets intact). */
function dialTargets(raw: readonly string[], protocol: string): { target: CompareTarget; url: string }[] {
  if (raw.length === 0) throw new LoadOptionsError('give at least one --target NAME=PROTO://HOST:PORT');
  const out: { target: CompareTarget; url: string }[] = [];
  for (const item of raw) {
    const m = /^([\p{L}\p{N}_.-]{1,40})=(.+)$/u.exec(item);
    if (!m) throw new LoadOptionsError(`target '${redactTarget(item).slice(0, 80)}' must be NAME=PROTO://HOST:PORT (NAME: 1-40 letters, digits, _ . -)`);
    const t = parseTarget(m[2] as string, protocol);
    if (out.some((o) => o.target.name === m[1])) throw new LoadOptionsError(`target name '${m[1]}' is given twice`);
    const url = targetUrl(t);
    out.push({ target: { name: m[1] as string, url: redactTarget(url), protocol: t.protocol }, url });
  }
  return out;
}

export interface RunSpectrum {
  target: string;
  /** 1-based, as in the rows. */
  repeat: number;
  corrected: SpectrumPoint[];
}

/** How compare.md and compare.html name a left-out action. */
export const ACTION_NAMES: Readonly<Record<string, string>> = { pm: 'private messages (--pm)', switch: 'room switches (--switch)', users: 'member lists (--users)' };

export interface LeftOut {
  action: LoadAction;
  /** The share asked for (`--pm 0.05`), now 0 for every target. */
  asked: number;
  because: { target: string; why: string }[];
}

export async function runCompare(o: CompareOptions, hooks: CompareHooks = {}): Promise<CompareResult> {
  const dial = dialTargets(o.targets, o.load.protocol ?? 'chatpulse');
  const targets = dial.map((d) => d.target);
  const urlOf = (t: CompareTarget) => (dial.find((d) => d.target === t) as { url: string }).url;
  const startedAt = new Date().toISOString();
  const rows: CompareRow[] = [];
  const maxima: FindMaxResult[] = [];
  const spectra: RunSpectrum[] = [];
  let first = true;
  let cut = false;
  const { spec: shared, ...asked } = o.load;
  const specOf = (t: CompareTarget) => (isSpecProtocol(t.protocol) ? (o.specs?.[t.name] ?? shared) : undefined);
  const leftOut = leftOutActions(targets, asked, (t) => (isSpecProtocol(t.protocol) && !specOf(t) ? {} : adapterFor(t.protocol, specOf(t)).cannot ?? {}));
  const load: Partial<LoadOptions> = { ...asked };
  for (const l of leftOut) load[l.action] = 0;
  const optionsFor = (t: CompareTarget, rate: number): Partial<LoadOptions> => {
    const spec = specOf(t);
    return { ...load, ...(spec && { spec }), rate, protocol: t.protocol, targets: [urlOf(t)], label: t.name };
  };
  // Every target's options are checked before the first run: a missing spec is not found an hour in.
  for (const t of targets) {
    try {
      resolveLoadOptions(optionsFor(t, o.load.rate ?? 1));
    } catch (err) {
      if (err instanceof LoadOptionsError) throw new LoadOptionsError(`target ${t.name} (${t.url}): ${redactTarget(err.message)}`);
      throw err;
    }
  }
  const run = async (t: CompareTarget, rate: number, what: string, onSpectrum?: (corrected: SpectrumPoint[]) => void, judged = false): Promise<LoadSummary> => {
    if (!first) await pause(o.pauseMs, hooks.signal);
    first = false;
    hooks.onRun?.(t, what);
    const summary = await runLoad(
      optionsFor(t, rate),
      {
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        ...(hooks.report ? { report: hooks.report } : {}),
        ...(judged && o.thresholds ? { thresholds: o.thresholds } : {}),
        onTick: (r) => hooks.onTick?.(t, r),
        onWarn: (m) => hooks.onWarn?.(m),
        // Only the points are kept: the histograms stay in this run.
        ...(onSpectrum ? { onRunHistograms: (h: { corrected: Histogram }) => onSpectrum(percentileSpectrum(h.corrected)) } : {}),
      },
    );
    hooks.onSummary?.(t, summary);
    if (summary.stoppedEarly) cut = true;
    return summary;
  };
  const baseRate = o.load.rate ?? 1;
  for (let r = 0; r < o.repeat && !cut; r++) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      if (hooks.signal?.aborted) cut = true;
      if (cut) break;
      try {
        const s = await run(t, baseRate, o.repeat > 1 ? `repeat ${r + 1}/${o.repeat}` : 'run', (corrected) => spectra.push({ target: t.name, repeat: r + 1, corrected }), true);
        rows.push(rowOf(t, r + 1, s));
      } catch (err) {
        // One server down must not cost the runs of the others: its row says why, the rest go on.
        const why = redactTarget((err as Error).message);
        hooks.onWarn?.(`target ${t.name} (${t.url}): ${why} — going on with the others`);
        rows.push(failedRow(t, r + 1, baseRate, o.load.clients ?? defaultLoadOptions.clients, why, o.thresholds));
      }
    }
  }
  if (o.findMax) {
    for (const t of targets) {
      if (hooks.signal?.aborted) cut = true;
      if (cut) break;
      const m = await findMax(t, baseRate, o.findMax, (rate, step) => run(t, rate, `find-max step ${step}, rate ${rate}/s per client`), hooks.signal);
      if (m.failure !== undefined) {
        m.failure = redactTarget(m.failure);
        hooks.onWarn?.(`target ${t.name} (${t.url}): find-max stopped: ${m.failure} — going on with the others`);
      }
      maxima.push(m);
    }
  }
  rows.sort((a, b) => a.repeat - b.repeat || targets.findIndex((t) => t.name === a.target) - targets.findIndex((t) => t.name === b.target));
  addRatios(rows, (targets[0] as CompareTarget).name);
  const rowIndex = (x: { target: string; repeat: number }) => rows.findIndex((r) => r.target === x.target && r.repeat === x.repeat);
  spectra.sort((a, b) => rowIndex(a) - rowIndex(b));
  const incomplete = rows.some((x) => x.status === 'failed' || x.status === 'nothing measured' || x.status === 'incomplete') || maxima.some((m) => m.stoppedBy === 'failed');
  const thresholdsFailed = rows.some((x) => x.thresholds.some((t) => !t.ok));
  return {
    targets, rows, findMax: maxima, startedAt, stoppedEarly: cut, incomplete, thresholdsFailed, leftOut, spectra,
    config: {
      targets: (o.asGiven?.targets ?? o.targets).map(redactTarget), ...(o.asGiven?.specFile ? { specFile: o.asGiven.specFile } : {}),
      load, repeat: o.repeat, pauseMs: o.pauseMs, ...(o.findMax ? { findMax: o.findMax } : {}), ...(o.thresholds?.length ? { thresholds: o.thresholds } : {}),
    },
  };
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/** The optional actions asked for that some target cannot express (left out for all), with who and why. */
function leftOutActions(targets: CompareTarget[], asked: Partial<LoadOptions>, cannot: (t: CompareTarget) => Partial<Record<LoadAction, string>>): LeftOut[] {
  const out: LeftOut[] = [];
  for (const action of ['pm', 'switch', 'users'] as const) {
    const share = asked[action] ?? defaultLoadOptions[action];
    if (share === 0) continue;
    const because = targets.flatMap((t) => {
      const why = cannot(t)[action];
      return why === undefined ? [] : [{ target: t.name, why }];
    });
    if (because.length > 0) out.push({ action, asked: share, because });
  }
  return out;
}
