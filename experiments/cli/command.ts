/** One CLI subcommand's code: a file in `experiments/cli/`, loaded only when the command runs. */
export interface Command {
  /** The word after `fewprompt`, e.g. `fill-mask`. */
  readonly name: string;
  /** Full usage text for `fewprompt NAME --help`. */
  readonly usage: string;
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
