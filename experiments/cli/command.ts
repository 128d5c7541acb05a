import type { ParseArgsOptionsConfig } from 'node:util';

/**
 * One CLI subcommand's code: a file in `experiments/cli/`, loaded only when the command runs. The module itself stays
 * light (its usage text and flag table need no model code): `fewprompt NAME --help` loads it, and should answer in
 * well under half a second; what `run` needs it imports inside `run`. `help.test.ts` checks both.
 */
export interface Command {
  /** The word after `fewprompt`, e.g. `fill-mask`. */
  readonly name: string;
  /** Full usage text for `fewprompt NAME --help`; it lists every flag of {@link Command.options}. */
  readonly usage: string;
  /** Every flag `run` accepts: the table it hands to `node:util`'s `parseArgs`. */
  readonly options: ParseArgsOptionsConfig;
  /** Runs the command; returns the process exit status. */
  run(args: string[]): Promise<number>;
}

/**
 * A command's entry in the registry (`experiments/cli/index.ts`): its name and one-line summary, and how to load it.
 * `fewprompt --help` reads the entries only; a command's module (and everything it imports) loads when it runs.
 */
export interface CommandEntry {
  readonly name: string;
  /** One line for `fewprompt --help`. */
  readonly summary: string;
  load(): Promise<Command>;
}
