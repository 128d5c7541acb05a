/**
 * What the sentiment model card reports: accuracy, each class's recall and precision, the gap between the two recalls,
 * the confusion matrix — and the decision bias that balances the recalls on dev.
 *
 * A prediction is made from the margin `log p(positive) − log p(negative)`: positive when `margin + bias > 0` (bias 0:
 * the label with the higher probability, as the classifier's argmax, ties negative).
 */
import type { Polarity } from './reviews.js';

/** Scores of predictions against gold labels; index 0 is negative, 1 positive. */
export interface ClassScores {
  readonly total: number;
  readonly accuracy: number;
  /** Per class: the share of its reviews predicted as it. */
  readonly recall: readonly [number, number];
  /** Per class: the share of the reviews predicted as it that are it (NaN when none is). */
  readonly precision: readonly [number, number];
  /** |recall(positive) − recall(negative)|, in points (0–100). */
  readonly recallGap: number;
  /** The mean of the two recalls. */
  readonly balancedAccuracy: number;
  /** `confusion[gold][predicted]`: counts. */
  readonly confusion: readonly [readonly [number, number], readonly [number, number]];
  /** The share of positive reviews in the set (its prior) and of positive predictions. */
  readonly goldPositive: number;
  readonly predictedPositive: number;
}

/**
 * Accuracy, per-class recall and precision and the confusion matrix.
 * @example
 * classScores([0, 0, 1, 1], [0, 1, 1, 1]);
 * // → { total: 4, accuracy: 0.75, recall: [0.5, 1], precision: [1, 0.667], recallGap: 50, balancedAccuracy: 0.75,
 * //     confusion: [[1, 1], [0, 2]], goldPositive: 0.5, predictedPositive: 0.75 }
 */
export function classScores(gold: readonly Polarity[], predicted: readonly Polarity[]): ClassScores {
  if (gold.length !== predicted.length)
    throw new RangeError(`classScores: ${gold.length} gold labels but ${predicted.length} predictions`);
  const m: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  gold.forEach((g, i) => m[g][predicted[i]!]++);
  const total = gold.length;
  const ratio = (a: number, b: number): number => (b === 0 ? NaN : a / b);
  const recall: [number, number] = [ratio(m[0][0], m[0][0] + m[0][1]), ratio(m[1][1], m[1][0] + m[1][1])];
  const precision: [number, number] = [ratio(m[0][0], m[0][0] + m[1][0]), ratio(m[1][1], m[0][1] + m[1][1])];
  return {
    total,
    accuracy: ratio(m[0][0] + m[1][1], total),
    recall,
    precision,
    recallGap: Math.abs(recall[1] - recall[0]) * 100,
    balancedAccuracy: (recall[0] + recall[1]) / 2,
    confusion: m,
    goldPositive: ratio(m[1][0] + m[1][1], total),
    predictedPositive: ratio(m[0][1] + m[1][1], total),
  };
}

/**
 * Labels from margins (`log p(positive) − log p(negative)`) at a decision bias.
 * @example predictAt([-0.3, 0.2, 0.05], 0.1); // → [0, 1, 1]
 */
export function predictAt(margins: readonly number[], bias: number): Polarity[] {
  return margins.map((m) => (m + bias > 0 ? 1 : 0));
}

/**
 * The decision bias whose per-class recalls are closest on `margins` (ties: the higher balanced accuracy, then the
 * smaller |bias|): the threshold is put halfway between two neighbouring margins, so it does not sit on a dev review.
 * @example
 * // Negatives at −2, −1, 0.5; positives at 1, 2, 3: bias 0 recalls 2/3 of negatives and all positives;
 * balancedBias([-2, -1, 0.5, 1, 2, 3], [0, 0, 0, 1, 1, 1]); // → -0.75 (threshold 0.75: both recalls 1)
 */
export function balancedBias(margins: readonly number[], gold: readonly Polarity[]): number {
  const order = [...margins.keys()].sort((a, b) => margins[a]! - margins[b]!);
  const positives = gold.filter((g) => g === 1).length;
  const negatives = gold.length - positives;
  if (positives === 0 || negatives === 0) return 0;
  // Threshold t (positive when margin > t) below every margin: all predicted positive.
  let truePos = positives;
  let trueNeg = 0;
  let best = { gap: Infinity, balanced: -Infinity, bias: 0 };
  for (let k = 0; k <= order.length; k++) {
    if (k > 0) {
      if (gold[order[k - 1]!] === 1) truePos--;
      else trueNeg++;
    }
    // Between sorted margins k−1 and k (only where they differ: a threshold cannot split equal margins).
    const lo = k === 0 ? undefined : margins[order[k - 1]!]!;
    const hi = k === order.length ? undefined : margins[order[k]!]!;
    if (lo !== undefined && hi !== undefined && lo === hi) continue;
    const t = lo === undefined ? hi! - 1 : hi === undefined ? lo + 1 : (lo + hi) / 2;
    const rPos = truePos / positives;
    const rNeg = trueNeg / negatives;
    const candidate = { gap: Math.abs(rPos - rNeg), balanced: (rPos + rNeg) / 2, bias: t === 0 ? 0 : -t };
    if (better(candidate, best)) best = candidate;
  }
  return best.bias;
}

function better(a: { gap: number; balanced: number; bias: number }, b: typeof a): boolean {
  const eps = 1e-12;
  if (a.gap < b.gap - eps) return true;
  if (a.gap > b.gap + eps) return false;
  if (a.balanced > b.balanced + eps) return true;
  if (a.balanced < b.balanced - eps) return false;
  return Math.abs(a.bias) < Math.abs(b.bias);
}

const pct = (x: number): string => (Number.isNaN(x) ? '—' : (x * 100).toFixed(2));

/**
 * One markdown table row: set, reviews, accuracy, recall negative / positive, gap, and the confusion counts.
 * @example scoresRow('ChnSentiCorp test', classScores([0, 1], [0, 1])); // → '| ChnSentiCorp test | 2 | 100.00 | …'
 */
export function scoresRow(name: string, s: ClassScores): string {
  const [[nn, np], [pn, pp]] = s.confusion;
  return (
    `| ${name} | ${s.total} | ${pct(s.accuracy)} | ${pct(s.recall[0])} | ${pct(s.recall[1])} | ` +
    `${s.recallGap.toFixed(2)} | ${nn} / ${np} | ${pn} / ${pp} |`
  );
}

/** The header of {@link scoresRow}'s table. */
export const SCORES_HEADER =
  '| set | reviews | accuracy | recall neg | recall pos | gap (points) | ' +
  'negatives → neg / pos | positives → neg / pos |\n' +
  '|---|---:|---:|---:|---:|---:|---:|---:|';
