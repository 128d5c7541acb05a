/**
 * What the Taskflow recipes share besides their settings tables (those are `<family>/train-options.ts`, of
 * framework/settings.ts's type): where a recipe's progress goes, its elapsed-seconds log and what `experiments/`
 * supplies it.
 */
import { log as logger } from '../../framework/log.js';
import type { SentimentMethod } from './sentiment-analysis/train.js';

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

/**
 * What `experiments/` hands a recipe that trains through it, since `inference/` may not import `experiments/`:
 * `fewprompt taskflow-train` supplies each piece, loaded only when a recipe asks for it.
 */
export interface RecipeSupplies {
  /** `sentiment_analysis`: the method half of its recipe (`experiments/taskflow/sentiment-method.ts`). */
  sentimentMethod(): Promise<SentimentMethod>;
}

/**
 * A score for a recipe's one-line report: two decimals, `—` when there is none.
 * @example pct(71.304); // → '71.30'
 */
export const pct = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(2));
