/**
 * The metric the `ner` (accurate) model card reports: exact-match entity precision, recall and F1 on CLUENER dev, as
 * CLUENER2020's own evaluation counts them.
 */
import { ConfigError } from '../../../framework/errors.js';
import type { TaggedSpan } from './bio.js';

/** Micro-averaged entity scores and the counts behind them. */
export interface EntityScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly predicted: number;
  readonly gold: number;
  readonly correct: number;
}

/**
 * Exact-match entity precision, recall and F1 (span and type both equal), micro-averaged.
 * @example
 * const gold = [[{ start: 0, end: 2, type: 'name' }]];
 * entityF1(gold, [[{ start: 0, end: 2, type: 'name' }, { start: 3, end: 4, type: 'game' }]]);
 * // { precision: 0.5, recall: 1, f1: 0.667, predicted: 2, gold: 1, correct: 1 }
 */
export function entityF1(
  gold: readonly (readonly TaggedSpan[])[],
  predicted: readonly (readonly TaggedSpan[])[],
): EntityScores {
  if (gold.length !== predicted.length)
    throw new ConfigError(`entityF1: ${gold.length} gold sequences but ${predicted.length} predicted`);
  let correct = 0;
  let g = 0;
  let p = 0;
  gold.forEach((spans, i) => {
    const key = (s: TaggedSpan) => `${s.start}:${s.end}:${s.type}`;
    const want = new Set(spans.map(key));
    g += want.size;
    const got = new Set(predicted[i]!.map(key));
    p += got.size;
    for (const k of got) if (want.has(k)) correct++;
  });
  const precision = p === 0 ? 0 : correct / p;
  const recall = g === 0 ? 0 : correct / g;
  return {
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    predicted: p,
    gold: g,
    correct,
  };
}
