import { tf, type Tensor } from '../framework/backend/tf.js';
import type { HostTensor } from '../framework/checkpoint/host-tensor.js';
import { ConfigError, DataError } from '../framework/errors.js';
import type { ParamGroup } from '../framework/optim/adamw.js';
import type { Objective } from '../framework/trainer/objective.js';
import { argmax } from '../framework/trainer/evaluate.js';
import { sampleFixed } from '../framework/random.js';
import { softmax } from '../inference/runtime/classifier.js';
import type { Example, Part, TaskDefinition } from '../datasets/base.js';
import { fieldText, type Method, type MethodBatch } from './methods/base.js';

/**
 * Steps of the self-training stage when the config does not say
 * (≈ 1.5 epochs of 1,000 pseudo-labelled examples at batch 8).
 */
export const DEFAULT_SELF_TRAIN_STEPS = 200;
/** PET's temperature for the teacher's soft labels (Schick & Schütze 2021, §3.2: T = 2). */
export const DEFAULT_SOFT_LABEL_TEMPERATURE = 2;

/**
 * A teacher's soft labels: softmax(scores / T) per row. T > 1 flattens them, so the student also learns how
 * sure the teacher was, not only its argmax.
 * @example softLabels([[2, 0]], 2); // → [[0.731, 0.269]] (softmax of [1, 0])
 */
export function softLabels(scores: readonly (readonly number[])[], temperature: number): number[][] {
  if (!(temperature > 0)) throw new ConfigError(`softLabelTemperature must be > 0 (was ${temperature})`);
  return scores.map((row) => softmax(row.map((s) => s / temperature)));
}

/**
 * The self-training pool: at most `max` examples of the task's `unlabeled` part (a fixed-seed sample), never one
 * whose text is also a `test_public` or `test` text. FewCLUE's unlabeled files share texts with its test sets
 * (EPRSTMT: 45 of test_public's 610); training on their pseudo-labels would be training on test inputs.
 * @example unlabeledPool(getTask('eprstmt'), 1000, 42).removed; // → how many test texts were left out
 */
export function unlabeledPool(task: TaskDefinition, max: number, seed: number): { pool: Example[]; removed: number } {
  const key = (e: Example) => task.textFields.map((f) => fieldText(e.fields[f])).join('\u0001');
  const testTexts = new Set((['test_public', 'test'] as Part[]).flatMap((part) => loadIfPresent(task, part)).map(key));
  const unlabeled = task.load('unlabeled');
  const clean = unlabeled.filter((e) => !testTexts.has(key(e)));
  return { pool: sampleFixed(clean, max, seed), removed: unlabeled.length - clean.length };
}

/** A part's examples, or none when the task has no file for it (any other error, e.g. a malformed line, is thrown). */
export function loadIfPresent(task: TaskDefinition, part: Part): Example[] {
  try {
    return task.load(part);
  } catch (error) {
    if (error instanceof DataError && /has no .*file/.test(error.message)) return [];
    throw error;
  }
}

/** What the pseudo-labels look like: how many, and the share of each label by the teacher's argmax. */
export interface PseudoLabelSummary {
  examples: number;
  /** Share of pseudo-labelled examples whose most probable label is label i (task label order). */
  labelShare: number[];
  /** Mean probability of each example's most probable label (1/labels = the teacher knows nothing). */
  meanConfidence: number;
}

/**
 * Counts of a teacher's soft labels: the label shares show a teacher that answers one label for everything.
 * @example summarizePseudoLabels([[0.9, 0.1], [0.4, 0.6]]);
 * // → { examples: 2, labelShare: [0.5, 0.5], meanConfidence: 0.75 }
 */
export function summarizePseudoLabels(soft: readonly (readonly number[])[]): PseudoLabelSummary {
  const width = soft[0]?.length ?? 0;
  const counts = new Array<number>(width).fill(0);
  let confidence = 0;
  for (const row of soft) {
    const best = argmax(row);
    counts[best]!++;
    confidence += row[best]!;
  }
  const n = Math.max(soft.length, 1);
  return { examples: soft.length, labelShare: counts.map((c) => c / n), meanConfidence: confidence / n };
}

/**
 * A method's batch with a target distribution per example (one-hot
 * for labelled examples, the teacher's soft label otherwise).
 */
export type SoftTargetBatch<B extends MethodBatch> = B & { softTargets: Tensor };

/**
 * The objective of PET's self-training stage: the same method, its loss taken against target distributions —
 * the teacher's soft label for a pseudo-labelled example, one-hot for a labelled one. Evaluation, parameters
 * and checkpoints are the method's own, so dev selection, export and serving work unchanged.
 * @example
 * const objective = new SoftTargetObjective(method, new Map(pool.map((e, i) => [e, soft[i]!])), task.labels.length);
 * await new Trainer(objective, { maxSteps: 200, batchSize: 8, seed: 42 }).fit([...train, ...pool], dev);
 */
export class SoftTargetObjective<B extends MethodBatch> implements Objective<Example, SoftTargetBatch<B>> {
  constructor(
    readonly method: Method<B>,
    readonly soft: ReadonlyMap<Example, readonly number[]>,
    readonly width: number,
  ) {
    if (!method.supportsSoftTargets)
      throw new ConfigError(
        `self-training on unlabeled data needs a method that scores each example once per label; ` +
          `${method.kind} does not`,
      );
    for (const [example, row] of soft) {
      if (row.length !== width)
        throw new ConfigError(`pseudo-label of example ${example.id}: ${row.length} probabilities, expected ${width}`);
    }
  }

  makeBatch(examples: Example[], training: boolean): SoftTargetBatch<B> {
    const rows = examples.map((e) => {
      const soft = this.soft.get(e);
      if (soft) return [...soft];
      const label = this.method.labelOf(e);
      if (label === undefined) throw new ConfigError(`example ${e.id} has neither a label nor a pseudo-label`);
      return Array.from({ length: this.width }, (_, i) => (i === label ? 1 : 0));
    });
    const batch = this.method.makeBatch(examples, training);
    return Object.assign(batch, { softTargets: tf.tensor2d(rows, [rows.length, this.width], 'float32') });
  }

  disposeBatch(batch: SoftTargetBatch<B>): void {
    batch.softTargets.dispose();
    this.method.disposeBatch(batch);
  }

  loss(batch: SoftTargetBatch<B>, seed: number): tf.Scalar {
    return this.method.softLoss(batch, batch.softTargets, seed);
  }

  scores(batch: SoftTargetBatch<B>): number[][] {
    return this.method.scores(batch);
  }

  labelOf(example: Example): number | undefined {
    return this.method.labelOf(example);
  }

  paramGroups(): ParamGroup[] {
    return this.method.paramGroups();
  }

  snapshot(): Map<string, HostTensor> {
    return this.method.snapshot();
  }

  restore(weights: ReadonlyMap<string, HostTensor>): void {
    this.method.restore(weights);
  }
}
