import { formatHelp, parseFlags, type FlagSpec, type ParsedFlags } from './flags.js';

export interface CommandHelp {
  /** The usage line after `usage: `, e.g. `chatpulse server [flags]`. */
  usage: string;
  /** The command's one-line summary. */
  summary: string;
  /** Shown after the flags: notes and examples. @default '' */
  footer?: string;
}

/**
 * A sub-command's start: its flags parsed (a bad one throws `UsageError`, exit 2), or, with `--help`,
 * the help text printed to `out` and `undefined` returned so the command exits 0.
 */
export function parseCommandFlags<S extends FlagSpec>(
  argv: readonly string[],
  spec: S,
  help: CommandHelp,
  out: (text: string) => void = (text) => console.log(text),
): ParsedFlags<S> | undefined {
  const f = parseFlags(argv, spec, process.env);
  if (!f.help) return f;
  out(formatHelp(help.usage, help.summary, spec, help.footer));
  return undefined;
}
