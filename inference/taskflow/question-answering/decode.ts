/**
 * Start and end logits of a question's windows → its answer: per window a softmax over the `[CLS]` token and the
 * passage tokens (question and `[SEP]` tokens never start or end an answer), each span scored by
 * p(start) · p(end) with at most `maxAnswerTokens` tokens, the best span over all windows; below `threshold` the
 * answer is empty (no answer), with the best span's score.
 */
import type { QaWindow } from './features.js';

/** What the reader answers: `answer` is `context.slice(start, end)`; empty (with start = end = 0) for no answer. */
export interface QaAnswer {
  answer: string;
  start: number;
  end: number;
  /** p(start) · p(end) of the best span in its window, in [0, 1]. */
  score: number;
}

/** Options of {@link bestAnswer}. */
export interface SpanDecodeOptions {
  /** Longest answer, in tokens. */
  readonly maxAnswerTokens: number;
  /** Below this score the answer is empty (0 answers always). */
  readonly threshold: number;
}

/** One window's logits, one value per token of its `ids`. */
export interface WindowLogits {
  readonly start: ArrayLike<number>;
  readonly end: ArrayLike<number>;
}

/** Softmax over `[CLS]` (index 0) and the passage tokens of a window; other tokens 0. */
function spanProbabilities(logits: ArrayLike<number>, window: QaWindow): Float64Array {
  const from = window.contextStart;
  const to = from + window.offsets.length;
  let max = logits[0]!;
  for (let t = from; t < to; t++) max = Math.max(max, logits[t]!);
  const p = new Float64Array(to);
  p[0] = Math.exp(logits[0]! - max);
  let sum = p[0];
  for (let t = from; t < to; t++) sum += p[t] = Math.exp(logits[t]! - max);
  for (let t = 0; t < to; t++) p[t]! /= sum;
  return p;
}

/**
 * The best answer of one question over its windows.
 * @example
 * bestAnswer('北京是中国的首都', windows, logits, { maxAnswerTokens: 64, threshold: 0.1 });
 * // → { answer: '北京', start: 0, end: 2, score: 0.83 }
 */
export function bestAnswer(
  context: string,
  windows: readonly QaWindow[],
  logits: readonly WindowLogits[],
  options: SpanDecodeOptions,
): QaAnswer {
  let best = { score: -1, start: 0, end: 0 };
  windows.forEach((w, k) => {
    const n = w.offsets.length;
    if (n === 0) return;
    const ps = spanProbabilities(logits[k]!.start, w);
    const pe = spanProbabilities(logits[k]!.end, w);
    const c = w.contextStart;
    for (let j = 0; j < n; j++) {
      for (let i = Math.max(0, j - options.maxAnswerTokens + 1); i <= j; i++) {
        const score = ps[c + i]! * pe[c + j]!;
        if (score > best.score) best = { score, start: w.offsets[i]![0], end: w.offsets[j]![1] };
      }
    }
  });
  if (best.score < 0) return { answer: '', start: 0, end: 0, score: 0 };
  if (best.score < options.threshold) return { answer: '', start: 0, end: 0, score: best.score };
  return { answer: context.slice(best.start, best.end), start: best.start, end: best.end, score: best.score };
}
