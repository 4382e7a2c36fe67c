/** Files named on the command line (`--spec`, `--tls-ca`, `--scenario`, a target's `?spec=`), read as text. */
import fs from 'node:fs';
import { loadSpec, parseScenario, ScenarioError, type LoadOptions, type ProtocolSpec } from '../loadgen/index.js';
import { UsageError } from './flags.js';

/** A file named by a flag, as text; an unreadable one is a usage error naming the flag (exit 2). */
export function readFlagFile(flag: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag}: cannot read '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * A protocol spec, loaded and checked once here in the main thread (the checked object reaches the
 * workers with the options); a bad one is a usage error: one line naming the file (as `--spec FILE` or a
 * target's `?spec=FILE`, as given) and the field.
 */
export function readSpecFile(file: string, flag: '--spec' | '?spec=' = '--spec'): ProtocolSpec {
  const where = flag === '--spec' ? `--spec ${file}` : `?spec=${file}`;
  const text = readFlagFile(flag, file);
  try {
    return loadSpec(text, file, where);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * `--scenario FILE` as load options: its phases and the run's length they make. `durationGiven`: the
 * user typed --duration too, which the phases would silently override — refused instead.
 */
export function scenarioOptions(file: string, f: { clients: number; rate: number }, durationGiven: boolean): Pick<LoadOptions, 'scenario' | 'duration'> {
  const text = readFlagFile('--scenario', file);
  try {
    const scenario = parseScenario(text, { clients: f.clients, rate: f.rate }, file);
    const duration = scenario.phases.reduce((a, p) => a + p.duration, 0);
    if (durationGiven) throw new UsageError(`--duration: with --scenario the phases set the run's length (${duration / 1000} s); leave --duration out`);
    return { scenario, duration };
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`--scenario ${err.message}`);
    throw err;
  }
}
