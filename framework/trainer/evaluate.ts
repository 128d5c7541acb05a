import type { Objective } from './objective.js';

/** Predictions and accuracy of an objective on labelled examples (eval mode, no dropout). */
export interface Evaluation {
  accuracy: number;
  predictions: number[];
  scores: number[][];
}

/**
 * Scores `examples` in batches and compares the argmax with each example's label.
 * @example
 * evaluate(objective, devExamples, 32).accuracy; // → 0.8125
 */
export function evaluate<E, B>(objective: Objective<E, B>, examples: E[], batchSize = 32): Evaluation {
  const scores: number[][] = [];
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = objective.makeBatch(examples.slice(i, i + batchSize), false);
    scores.push(...objective.scores(batch));
    objective.disposeBatch(batch);
  }
  return evaluationOf(objective, examples, scores);
}

/**
 * Predictions (argmax) and accuracy against each example's label,
 * from label scores computed elsewhere (e.g. ONNX Runtime).
 * @example evaluationOf(objective, dev, [[0.1, 0.9]]).predictions; // → [1]
 */
export function evaluationOf<E>(
  objective: Pick<Objective<E, unknown>, 'labelOf'>,
  examples: readonly E[],
  scores: number[][],
): Evaluation {
  const predictions = scores.map(argmax);
  let correct = 0;
  let labelled = 0;
  examples.forEach((e, i) => {
    const label = objective.labelOf(e);
    if (label === undefined) return;
    labelled++;
    if (predictions[i] === label) correct++;
  });
  return { accuracy: labelled === 0 ? NaN : correct / labelled, predictions, scores };
}

export function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}
