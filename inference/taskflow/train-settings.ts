/**
 * What the Taskflow recipes share besides their settings tables (those are `<family>/train-options.ts`, of
 * framework/settings.ts's type): where a recipe's progress goes and its elapsed-seconds log.
 */
import { log as logger } from '../../framework/log.js';

/** Where a recipe's progress goes (default: the framework logger at info level). */
export interface TrainHooks {
  readonly log?: (message: string) => void;
}

/**
 * The recipe's log: each line prefixed with the seconds since `started`, written to `hooks.log` or the framework
 * logger.
 * @example const log = elapsedLog({}, Date.now()); log('dev UAS 42.5'); // [fewprompt] [0s] dev UAS 42.5
 */
export function elapsedLog(hooks: TrainHooks, started: number): (message: string) => void {
  const write = hooks.log ?? logger.info;
  return (message) => write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);
}
