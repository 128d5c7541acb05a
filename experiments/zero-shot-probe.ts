/**
 * Zero-shot PET as a pretraining probe: each task's default PET template and label words on the model as it
 * is (no training), scored on the task's **dev** split — never test, since a probe may pick checkpoints.
 * Held-out MLM accuracy says how well a model predicts characters; this says whether it already prefers the
 * right label word in a prompt, the prior PET builds on (bench/results/fewclue-zero-shot.md: the shipped model
 * gives one label to 98-100% of EPRSTMT/BUSTM/OCNLI/CLUEWSC inputs).
 */
import type { BertModel } from '../framework/model/bert.js';
import type { PretrainProbe } from '../framework/pretrain/index.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { evaluate } from '../framework/trainer/evaluate.js';
import type { Example, TaskDefinition } from '../datasets/base.js';
import { sampleFixed } from '../framework/random.js';
import { createMethod } from './methods/index.js';

/** Seed of the probe's dev sample. */
const PROBE_SAMPLE_SEED = 7;

/**
 * Dev accuracy, the share of inputs given the most frequent answer (1 = one label for everything) and the
 * accuracy after batch calibration (below): a model whose scores carry the right signal under a bias towards
 * one label word shows it in `calibrated` long before `accuracy` moves.
 */
export interface ZeroShotScore {
  accuracy: number;
  topShare: number;
  calibrated: number;
}

/**
 * Accuracy after batch calibration (Zhou et al. 2024, "Batch Calibration"): each label's mean score over the
 * inputs is subtracted before the argmax, so a constant preference for one label word no longer decides the
 * answer. Uses no labels; unlabelled inputs (label undefined) are scored but not counted.
 * @example batchCalibratedAccuracy([[0, -1], [0, -3]], [1, 0]); // → 1 (centred: [0, 1], [0, -1])
 */
export function batchCalibratedAccuracy(
  scores: readonly (readonly number[])[],
  labels: readonly (number | undefined)[],
): number {
  if (scores.length === 0) return NaN;
  const width = Math.max(...scores.map((s) => s.length));
  const mean = Array.from({ length: width }, (_, j) => {
    const column = scores.filter((s) => j < s.length).map((s) => s[j]!);
    return column.reduce((a, b) => a + b, 0) / column.length;
  });
  let correct = 0;
  let labelled = 0;
  scores.forEach((s, i) => {
    const label = labels[i];
    if (label === undefined) return;
    labelled++;
    let best = 0;
    for (let j = 1; j < s.length; j++) if (s[j]! - mean[j]! > s[best]! - mean[best]!) best = j;
    if (best === label) correct++;
  });
  return labelled === 0 ? NaN : correct / labelled;
}

/**
 * The share of inputs given the most frequent answer (1 = one label for everything; NaN for none).
 * @example topAnswerShare([1, 1, 0, 1]); // → 0.75
 */
export function topAnswerShare(predictions: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const p of predictions) counts.set(p, (counts.get(p) ?? 0) + 1);
  return predictions.length === 0 ? NaN : Math.max(...counts.values()) / predictions.length;
}

/**
 * PET without training on `examples`.
 * @example zeroShotScore(model, tokenizer, getTask('eprstmt'), dev); // → { accuracy: 0.53, topShare: 0.97 }
 */
export function zeroShotScore(
  model: BertModel,
  tokenizer: BertTokenizer,
  task: TaskDefinition,
  examples: Example[],
  maxSeqLen = 128,
): ZeroShotScore {
  const method = createMethod('pet', { model, tokenizer, task, maxSeqLen, lr: 1e-4, seed: 0 });
  try {
    const result = evaluate(method, examples, 32);
    return {
      accuracy: result.accuracy,
      topShare: topAnswerShare(result.predictions),
      calibrated: batchCalibratedAccuracy(
        result.scores,
        examples.map((e) => method.labelOf(e)),
      ),
    };
  } finally {
    method.dispose(); // PET's own parameters only (none); the model stays
  }
}

/**
 * A {@link PretrainProbe} over `tasks`' dev split (`few_all` by default: 160 examples for the binary tasks, where a
 * split's 32 cannot show a change; at most `maxExamples` each, a fixed-seed sample): `<task>_acc`, `<task>_top`,
 * `<task>_cal` (batch-calibrated accuracy), `mean_acc` and `mean_cal`.
 * @example
 * await pretrain(config, { probe: zeroShotProbe(['eprstmt', 'bustm'].map((k) => getTask(k, { dataDir }))) });
 */
export function zeroShotProbe(
  tasks: readonly TaskDefinition[],
  options: { split?: '0' | '1' | '2' | '3' | '4' | 'few_all'; maxExamples?: number } = {},
): PretrainProbe {
  const dev = new Map(
    tasks.map((t) => [
      t,
      sampleFixed(t.load('dev', { split: options.split ?? 'few_all' }), options.maxExamples ?? 240, PROBE_SAMPLE_SEED),
    ]),
  );
  let tokenizer: { vocab: readonly string[]; tok: BertTokenizer } | undefined;
  return async (model, vocab) => {
    if (tokenizer?.vocab !== vocab) tokenizer = { vocab, tok: BertTokenizer.fromVocab(vocab) };
    const out: Record<string, number> = {};
    for (const [task, examples] of dev) {
      const s = zeroShotScore(model, tokenizer.tok, task, examples);
      out[`${task.kind}_acc`] = s.accuracy;
      out[`${task.kind}_top`] = s.topShare;
      out[`${task.kind}_cal`] = s.calibrated;
    }
    out['mean_acc'] = tasks.reduce((a, t) => a + out[`${t.kind}_acc`]!, 0) / Math.max(1, tasks.length);
    out['mean_cal'] = tasks.reduce((a, t) => a + out[`${t.kind}_cal`]!, 0) / Math.max(1, tasks.length);
    return out;
  };
}
