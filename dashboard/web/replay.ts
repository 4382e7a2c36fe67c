import type { Snapshot } from '../../protocol/snapshot.js';
import type { RunInfo } from '../../protocol/dashboard-frames.js';
import { loadRunSamples, thinned } from './run-samples.js';

export interface ReplayState {
  runId: string | null;
  source: ReplaySource;
  positionMs: number;
  durationMs: number;
  playing: boolean;
  ended: boolean;
  /** Ticks drawn so far / ticks loaded. */
  fed: number;
  total: number;
  /** 1, or n when a run longer than `maxTicks` was loaded as every n-th tick (and its last). */
  every: number;
  /** The run's own tick count (more than `total` when thinned). */
  runTicks: number;
  speed: number;
}

export interface ReplayOptions {
  /** Draw from scratch (after a load or a seek). */
  onReset: (snapshots: readonly Snapshot[]) => void;
  onTick: (snapshot: Snapshot) => void;
  onState: (state: ReplayState) => void;
  /** Most ticks loaded for one replay; a longer run is thinned to every n-th tick. @default 40000 */
  maxTicks?: number;
  /** Playback timer period. @default 100 */
  stepMs?: number;
}

/** Where the replayed ticks came from: the server's store, or a CSV file opened in the page. */
export type ReplaySource = 'store' | 'file';

/**
 * Replays a stored run from `/api/runs/:id/samples` (paged, run-samples.ts), or ticks already in memory
 * (a CSV file read in the page): play, pause, speed 1×–60×, seek. It only feeds the charts it is given;
 * the live feed keeps recording meanwhile.
 */
export class Replay {
  readonly #opts: Required<ReplayOptions>;
  #run: RunInfo | null = null;
  #source: ReplaySource = 'store';
  #snaps: Snapshot[] = [];
  #every = 1;
  #runTicks = 0;
  #fed = 0;
  #position = 0;
  #speed = 10;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastStep = 0;

  constructor(options: ReplayOptions) {
    this.#opts = { maxTicks: 40_000, stepMs: 100, ...options };
  }

  get run(): RunInfo | null {
    return this.#run;
  }

  get source(): ReplaySource {
    return this.#source;
  }

  async load(runId: string): Promise<void> {
    this.pause();
    const { run, snapshots, every } = await loadRunSamples(runId, this.#opts.maxTicks);
    this.#show(run, snapshots, 'store', every, run.ticks);
  }

  /** Replays ticks held in memory (oldest first), thinned as a loaded run is beyond `maxTicks`. */
  loadSnapshots(run: RunInfo, snapshots: readonly Snapshot[]): void {
    this.pause();
    const every = Math.max(1, Math.ceil(snapshots.length / this.#opts.maxTicks));
    this.#show(run, thinned(snapshots, every), 'file', every, snapshots.length);
  }

  #show(run: RunInfo, snapshots: Snapshot[], source: ReplaySource, every: number, runTicks: number): void {
    this.#run = run;
    this.#snaps = snapshots;
    this.#source = source;
    this.#every = every;
    this.#runTicks = runTicks;
    // Drawn whole at once, positioned at its end: a picked run is never a blank page waiting for Play
    // (Play starts it over from its first tick).
    this.seek(1);
  }

  get durationMs(): number {
    const last = this.#snaps[this.#snaps.length - 1];
    return this.#run === null || last === undefined ? 0 : Math.max(0, last.time - this.#run.start);
  }

  setSpeed(speed: number): void {
    if (!Number.isFinite(speed) || speed < 1 || speed > 60) throw new RangeError(`speed must be 1-60, got ${speed}`);
    this.#speed = speed;
    this.#emit();
  }

  play(): void {
    if (this.#run === null || this.#timer !== undefined) return;
    if (this.#position >= this.durationMs) this.seek(0);
    this.#lastStep = performance.now();
    this.#timer = setInterval(() => this.#step(), this.#opts.stepMs);
    this.#emit();
  }

  pause(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#emit();
  }

  /** Jumps to `fraction` (0–1) of the run and redraws everything up to there. */
  seek(fraction: number): void {
    if (this.#run === null) return;
    this.#position = Math.min(1, Math.max(0, fraction)) * this.durationMs;
    const until = this.#run.start + this.#position;
    let n = 0;
    while (n < this.#snaps.length && (this.#snaps[n] as Snapshot).time <= until) n++;
    this.#fed = n;
    this.#opts.onReset(this.#snaps.slice(0, n));
    this.#emit();
  }

  stop(): void {
    this.pause();
    this.#run = null;
    this.#snaps = [];
    this.#fed = 0;
    this.#position = 0;
  }

  state(): ReplayState {
    const duration = this.durationMs;
    return {
      runId: this.#run?.id ?? null,
      source: this.#source,
      positionMs: this.#position,
      durationMs: duration,
      playing: this.#timer !== undefined,
      ended: this.#run !== null && this.#fed === this.#snaps.length && this.#position >= duration,
      fed: this.#fed,
      total: this.#snaps.length,
      every: this.#every,
      runTicks: this.#runTicks,
      speed: this.#speed,
    };
  }

  #step(): void {
    const now = performance.now();
    const run = this.#run;
    if (run === null) return;
    this.#position = Math.min(this.durationMs, this.#position + (now - this.#lastStep) * this.#speed);
    this.#lastStep = now;
    const until = run.start + this.#position;
    while (this.#fed < this.#snaps.length && (this.#snaps[this.#fed] as Snapshot).time <= until) {
      this.#opts.onTick(this.#snaps[this.#fed] as Snapshot);
      this.#fed++;
    }
    if (this.#position >= this.durationMs) this.pause();
    else this.#emit();
  }

  #emit(): void {
    this.#opts.onState(this.state());
  }
}
