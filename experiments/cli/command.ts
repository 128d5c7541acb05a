/** One CLI subcommand: a file in `experiments/cli/` plus one entry in `experiments/cli/index.ts`. */
export interface Command {
  /** The word after `fewprompt`, e.g. `fill-mask`. */
  readonly name: string;
  /** One line for `fewprompt --help`. */
  readonly summary: string;
  /** Full usage text for `fewprompt NAME --help`. */
  readonly usage: string;
  /** Runs the command; returns the process exit status. */
  run(args: string[]): Promise<number>;
}
