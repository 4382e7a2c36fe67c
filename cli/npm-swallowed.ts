/**
 * `npm run demo --minutes 1` (no `--`) gives npm the flag: npm keeps `--minutes` as its own config, sets
 * `npm_config_minutes=true` in the script's environment and passes chatpulse only the bare `1`. This
 * reads that environment back to say which flags npm took and the command line that passes them on.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The line after `unexpected argument 'X'` when npm swallowed some of the command's flags, or undefined
 * when it did not (not run by an npm script, or none of `flags` is in npm's config).
 * `flags`: the command's flag names (kebab-case) and whether each takes no value.
 */
export function npmSwallowedHint(arg: string, flags: ReadonlyArray<readonly [name: string, boolean: boolean]>, env: Env): string | undefined {
  const script = env.npm_lifecycle_event;
  if (!script) return undefined;
  const taken = flags.filter(([name]) => env[`npm_config_${name.replace(/-/g, '_')}`] === 'true');
  if (taken.length === 0) return undefined;
  const valued = taken.filter(([, boolean]) => !boolean);
  const words = taken.map(([name, boolean]) => (boolean ? `--${name}` : `--${name} ${valued.length === 1 ? arg : '…'}`));
  return `npm passes flags to chatpulse only after --: npm run ${script} -- ${words.join(' ')}`;
}
