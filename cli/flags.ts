/**
 * A small typed flag parser shared by every sub-command.
 *
 * Each flag is declared once with its kind, default and help text; `parseFlags` returns a typed
 * object and throws `UsageError` (exit code 2 in the CLI) with one line naming the flag, what was
 * expected and what arrived.
 */
import { formatBytes, formatDuration, parseBytes, parseDuration } from '../protocol/index.js';
import { didYouMean } from './did-you-mean.js';
import { npmSwallowedHint, type Env } from './npm-swallowed.js';

// The units moved to protocol/ (below every folder); re-exported so the flags' callers keep one import.

/** A decimal number as people type it: 0.5, .5, 2, 1e3, -1. */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
export { formatBytes, formatDuration, parseBytes, parseDuration };

export class UsageError extends Error {
  readonly code = 'CHATPULSE_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Flag<T> {
  readonly kind: string;
  readonly default: T;
  readonly help: string;
  /** Flags that take no value (`--open`, `--no-metrics`). */
  readonly boolean?: boolean;
  /** Repeatable flags collect every value into an array. */
  readonly repeatable?: boolean;
  /** A repeatable flag given more often than this is a usage error. @default 64 */
  readonly maxRepeats?: number;
  /** Shown in --help instead of the default's own rendering. */
  readonly defaultLabel?: string;
  parse(raw: string, flagName: string): T;
}

type Bounds = { min?: number; max?: number };

function fail(flagName: string, expected: string, raw: string): never {
  throw new UsageError(`--${flagName} expects ${expected}, got '${raw}'`);
}

function checkBounds(n: number, b: Bounds, flagName: string, raw: string, what: string): number {
  if ((b.min !== undefined && n < b.min) || (b.max !== undefined && n > b.max)) {
    const range =
      b.min !== undefined && b.max !== undefined
        ? `from ${b.min} to ${b.max}`
        : b.min !== undefined
          ? `>= ${b.min}`
          : `<= ${b.max}`;
    fail(flagName, `${what} ${range}`, raw);
  }
  return n;
}

/** How often a repeatable flag may be given unless it says otherwise. */
const MAX_REPEATS = 64;

export const flag = {
  string(def: string, help: string, opts: { maxLength?: number } = {}): Flag<string> {
    const maxLength = opts.maxLength ?? 1024;
    return {
      kind: 'TEXT', default: def, help,
      parse(raw, name) {
        if (raw.length > maxLength) fail(name, `at most ${maxLength} characters`, `${raw.slice(0, 20)}…`);
        return raw;
      },
    };
  },
  int(def: number, help: string, bounds: Bounds = {}): Flag<number> {
    return {
      kind: 'N', default: def, help,
      parse(raw, name) {
        if (!/^-?\d+$/.test(raw.trim())) fail(name, 'a whole number', raw);
        return checkBounds(Number(raw), bounds, name, raw, 'a whole number');
      },
    };
  },
  number(def: number, help: string, bounds: Bounds = {}): Flag<number> {
    return {
      kind: 'X', default: def, help,
      parse(raw, name) {
        // Decimal only (Number() also reads 0x10, 0b1 and Infinity), and not one that underflows to 0
        // (1e-400 would run as 0 without a word).
        const n = Number(raw);
        if (!DECIMAL.test(raw.trim()) || !Number.isFinite(n) || (n === 0 && /[1-9]/.test(raw.replace(/e.*$/i, '')))) fail(name, 'a number', raw);
        return checkBounds(n, bounds, name, raw, 'a number');
      },
    };
  },
  /** Milliseconds. */
  duration(defMs: number, help: string, bounds: Bounds = {}): Flag<number> {
    return {
      kind: 'DURATION', default: defMs, help, defaultLabel: formatDuration(defMs),
      parse(raw, name) {
        const ms = parseDuration(raw);
        if (ms === undefined) fail(name, 'a duration like 90s, 10m, 1h or 250ms', raw);
        if ((bounds.min !== undefined && ms < bounds.min) || (bounds.max !== undefined && ms > bounds.max)) {
          fail(name, `a duration from ${formatDuration(bounds.min ?? 0)} to ${formatDuration(bounds.max ?? Infinity)}`, raw);
        }
        return ms;
      },
    };
  },
  bytes(def: number, help: string, bounds: Bounds = {}): Flag<number> {
    return {
      kind: 'SIZE', default: def, help, defaultLabel: formatBytes(def),
      parse(raw, name) {
        const n = parseBytes(raw);
        if (n === undefined) fail(name, 'a size like 4096, 64KiB or 1MiB', raw);
        return checkBounds(n, bounds, name, raw, 'a size');
      },
    };
  },
  bool(def: boolean, help: string): Flag<boolean> {
    return { kind: '', default: def, help, boolean: true, parse: () => true };
  },
  choice<C extends string>(def: C, choices: readonly C[], help: string): Flag<C> {
    return {
      kind: choices.join('|'), default: def, help,
      parse(raw, name) {
        if (!(choices as readonly string[]).includes(raw)) fail(name, `one of ${choices.join(', ')}`, raw);
        return raw as C;
      },
    };
  },
  /**
   * A repeatable flag; each value is parsed by `item` (which throws UsageError on bad input).
   * `max`: how many times it may be given. @default 64
   */
  list<T>(help: string, item: (raw: string, flagName: string) => T, opts: { max?: number } = {}): Flag<T[]> {
    const max = opts.max ?? MAX_REPEATS;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer >= 1, got ${max}`);
    return {
      kind: 'VALUE', default: [], help, repeatable: true, maxRepeats: max, defaultLabel: 'none',
      parse: (raw, name) => [item(raw, name)],
    };
  },
};

export type FlagSpec = Record<string, Flag<unknown>>;
export type ParsedFlags<S extends FlagSpec> = { [K in keyof S]: S[K] extends Flag<infer T> ? T : never } & {
  help: boolean;
};

/** camelCase key → kebab-case flag name. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const MAX_ARGS = 512;

/**
 * `env`: the process environment, read only to explain a bare value that npm left behind when it took
 * the flag before it (`npm run demo --minutes 1`). @default {}
 */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S, env: Env = {}): ParsedFlags<S> {
  if (argv.length > MAX_ARGS) throw new UsageError(`too many arguments (${argv.length}, at most ${MAX_ARGS})`);
  const byName = new Map<string, string>();
  for (const key of Object.keys(spec)) byName.set(flagName(key), key);
  const out: Record<string, unknown> = { help: false };
  for (const [key, f] of Object.entries(spec)) out[key] = f.repeatable ? [] : f.default;
  /** Value flags already given: a second one would silently replace the first. */
  const given = new Map<string, string>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      const shown = arg.slice(0, 40);
      const npm = npmSwallowedHint(shown, [...byName].map(([name, key]) => [name, spec[key]?.boolean === true] as const), env);
      throw new UsageError(`unexpected argument '${shown}' ${npm ? `— ${npm}` : '(flags start with --)'}`);
    }
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let key = byName.get(name);
    if (key === undefined && name.startsWith('no-')) {
      const positive = byName.get(name.slice(3));
      if (positive !== undefined && spec[positive]?.boolean) {
        out[positive] = false;
        continue;
      }
      // `--no-metrics` style flags are declared under their negative name.
    }
    if (key === undefined) throw unknownFlag(name, spec);
    const f = spec[key] as Flag<unknown>;
    if (f.boolean) {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') fail(name, 'no value (or =true/=false)', inline);
      out[key] = inline === 'false' ? false : true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      raw = argv[i + 1];
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      i++;
    }
    const value = f.parse(raw, name);
    if (f.repeatable) {
      const list = out[key] as unknown[];
      const max = f.maxRepeats ?? MAX_REPEATS;
      if (list.length >= max) throw new UsageError(`--${name} given too many times (at most ${max})`);
      list.push(...(value as unknown[]));
    } else {
      const first = given.get(key);
      if (first !== undefined) throw new UsageError(`--${name} given twice (${first.slice(0, 40)}, then ${raw.slice(0, 40)}): give it once`);
      given.set(key, raw);
      out[key] = value;
    }
  }
  return out as ParsedFlags<S>;
}

/** `unknown flag --minuts (did you mean --minutes?)`; `(see --help)` when no flag is close. */
function unknownFlag(name: string, spec: FlagSpec): UsageError {
  const known = Object.entries(spec).flatMap(([key, f]) => (f.boolean && !/^no[A-Z]/.test(key) ? [flagName(key), `no-${flagName(key)}`] : [flagName(key)]));
  const near = didYouMean(name, known);
  return new UsageError(`unknown flag --${name.slice(0, 40)} ${near ? `(did you mean --${near}?)` : '(see --help)'}`);
}

/** Renders `--help` text: a usage line, a summary, then one line per flag with its default. */
export function formatHelp(usage: string, summary: string, spec: FlagSpec, footer = ''): string {
  const rows = Object.entries(spec).map(([key, f]) => {
    const left = `  --${flagName(key)}${f.kind ? ` ${f.kind}` : ''}`;
    const def = f.defaultLabel ?? (f.boolean ? (f.default ? 'on' : 'off') : JSON.stringify(f.default));
    return [left, `${f.help} (default: ${def})`] as const;
  });
  const width = Math.min(40, Math.max(...rows.map(([l]) => l.length)) + 2);
  const lines = rows.map(([l, r]) => (l.length + 2 > width ? `${l}\n${' '.repeat(width)}${r}` : l.padEnd(width) + r));
  return [`usage: ${usage}`, '', summary, '', 'flags:', ...lines, '  --help'.padEnd(width) + 'show this help', footer]
    .join('\n')
    .trimEnd();
}
