/**
 * Published FewCLUE test_public accuracies (percent) that a suite report puts beside its own numbers when
 * the task and method match. `task: 'overall'` is the mean over all nine tasks and is only compared with
 * a suite that ran all nine. Source: the project's shared-data README.
 */
export interface PublishedScore {
  task: string;
  /** Report variant: `pet`, `pet+rdrop`, `finetune`, … */
  variant: string;
  accuracy: number;
  source: string;
}

const PADDLE = 'PaddleNLP few-shot, ERNIE-1.0, train_0';
const FEWCLUE_PAPER = 'FewCLUE paper, fine-tuning ERNIE-1.0';

/**
 * The reference table; a new published number is one row here.
 * @example PUBLISHED_SCORES.find((s) => s.task === 'eprstmt' && s.variant === 'pet')?.accuracy; // → 86.88
 */
export const PUBLISHED_SCORES: readonly PublishedScore[] = Object.freeze([
  { task: 'eprstmt', variant: 'pet', accuracy: 86.88, source: PADDLE },
  { task: 'eprstmt', variant: 'pet+rdrop', accuracy: 87.54, source: PADDLE },
  { task: 'overall', variant: 'pet', accuracy: 56.63, source: PADDLE },
  { task: 'overall', variant: 'pet+rdrop', accuracy: 57.25, source: PADDLE },
  { task: 'eprstmt', variant: 'finetune', accuracy: 66.5, source: FEWCLUE_PAPER },
  { task: 'overall', variant: 'finetune', accuracy: 48.34, source: FEWCLUE_PAPER },
]);
