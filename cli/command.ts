/**
 * One `chatpulse <name>` subcommand. Its own module so that the commands and `main.ts`, which lists
 * them, both import it and neither imports the other.
 */
export interface Command {
  /** One line for `chatpulse --help`. */
  summary: string;
  /** Resolves with the exit code, or nothing for 0. */
  run(argv: string[]): Promise<number | void>;
}
