/**
 * Sentence-level spelling-correction metrics, as SIGHAN-2015 results are reported (SpellGCN,
 * ERNIE-CSC): a sentence is a predicted positive when the system changes anything, a gold positive
 * when it has an error.
 * - detection: a true positive when the changed positions are exactly the wrong positions;
 * - correction: a true positive when, in addition, the corrected sentence equals the target.
 * P = TP / predicted positives, R = TP / gold positives, F1 their harmonic mean.
 */
import type { CscPair } from './sighan.js';
import { errorPositions } from './sighan.js';

/** P / R / F1 of one level. */
export interface Prf {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly tp: number;
}

/** Both levels, plus the counts they rest on. */
export interface CscMetrics {
  readonly detection: Prf;
  readonly correction: Prf;
  readonly sentences: number;
  readonly goldPositive: number;
  readonly predictedPositive: number;
  /** Share of error-free sentences the system changed. */
  readonly falsePositiveRate: number;
}

function prf(tp: number, predicted: number, gold: number): Prf {
  const precision = predicted ? tp / predicted : 0;
  const recall = gold ? tp / gold : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, tp };
}

/**
 * Scores predicted corrected sentences against gold pairs (same order, same lengths).
 * @example
 * sentenceMetrics([{ id: 'a', source: '朋唷', target: '朋友' }], ['朋友']).correction.f1 // → 1
 */
export function sentenceMetrics(gold: readonly CscPair[], predicted: readonly string[]): CscMetrics {
  let goldPositive = 0;
  let predictedPositive = 0;
  let detTp = 0;
  let corTp = 0;
  let negatives = 0;
  let falsePositives = 0;
  gold.forEach((pair, i) => {
    const pred = predicted[i]!;
    const goldPos = errorPositions(pair);
    const predPos = errorPositions({ id: pair.id, source: pair.source, target: pred });
    if (goldPos.length > 0) goldPositive++;
    else negatives++;
    if (predPos.length === 0) return;
    predictedPositive++;
    if (goldPos.length === 0) {
      falsePositives++;
      return;
    }
    if (predPos.length === goldPos.length && predPos.every((p, k) => p === goldPos[k])) {
      detTp++;
      if (pred === pair.target) corTp++;
    }
  });
  return {
    detection: prf(detTp, predictedPositive, goldPositive),
    correction: prf(corTp, predictedPositive, goldPositive),
    sentences: gold.length,
    goldPositive,
    predictedPositive,
    falsePositiveRate: negatives ? falsePositives / negatives : 0,
  };
}
