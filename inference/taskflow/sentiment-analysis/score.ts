/**
 * The recipe's scoring of exported bundles on ONNX Runtime (what Taskflow serves): each review's margin, per-class
 * scores at a decision bias, the gate a new bundle must pass to replace the shipped one, and that replacement.
 */
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../../../framework/checkpoint/atomic.js';
import { BundleError } from '../../../framework/errors.js';
import { loadClassifier } from '../../runtime/classifier.js';
import { combinedMargin, DECISION_FILE, loadDecision, marginOf } from './decision.js';
import { classScores, predictAt, type ClassScores } from './evaluate.js';
import { NGRAM_FILE } from './ngram.js';
import type { Review } from './reviews.js';
import { POLARITY } from './task.js';

/**
 * Each text's margin `log p(positive) − log p(negative)` from a bundle (long texts in windows, as Taskflow reads them).
 * @example await bundleMargins('runs/sentiment/bundle', ['很好', '太差了']); // → [2.1, -1.7]
 */
export async function bundleMargins(dir: string, texts: readonly string[], batchSize = 32): Promise<number[]> {
  const classifier = await loadClassifier(dir);
  try {
    const negative = classifier.labels.find((l) => POLARITY[l] === 'negative');
    const positive = classifier.labels.find((l) => POLARITY[l] === 'positive');
    if (negative === undefined || positive === undefined)
      throw new BundleError(`${dir}: labels ${classifier.labels.join(', ')} are not a polarity pair`);
    const predictions = await classifier.predict(texts, { batchSize });
    return predictions.map((p) => marginOf(p.probabilities[positive]!, p.probabilities[negative]!));
  } finally {
    await classifier.release();
  }
}

/** Margins and gold labels of named review sets. */
export type ScoredSets = Record<string, { readonly margins: number[]; readonly gold: (0 | 1)[] }>;

/**
 * Scores every set with a bundle as Taskflow decides (before the bias): the encoder's margin, plus the bundle's n-gram
 * model's where its decision file has one (one classifier load per set).
 * @example await scoreBundle('runs/sentiment/bundle', { 'ChnSentiCorp test': test }); // → { 'ChnSentiCorp test': … }
 */
export async function scoreBundle(dir: string, sets: Readonly<Record<string, readonly Review[]>>): Promise<ScoredSets> {
  const decision = loadDecision(dir);
  const scored: ScoredSets = {};
  for (const [name, reviews] of Object.entries(sets)) {
    const texts = reviews.map((r) => r.text);
    const encoder = await bundleMargins(dir, texts);
    scored[name] = {
      margins: encoder.map((m, i) => combinedMargin(decision, m, texts[i]!)),
      gold: reviews.map((r) => r.label),
    };
  }
  return scored;
}

/**
 * Per-class scores of every set at `bias`.
 * @example scoresAt(scored, 0)['ChnSentiCorp test'].recall; // → [0.93, 0.92]
 */
export function scoresAt(scored: ScoredSets, bias: number): Record<string, ClassScores> {
  return Object.fromEntries(
    Object.entries(scored).map(([name, s]) => [name, classScores(s.gold, predictAt(s.margins, bias))]),
  );
}

/** Whether a new bundle may replace the shipped one, and why (one line). */
export interface ShipVerdict {
  readonly ship: boolean;
  readonly reason: string;
}

/**
 * The gate: the candidate must beat the current bundle's test accuracy and keep its two test recalls within
 * `maxRecallGap` points of each other.
 * @example shipVerdict(newTest, oldTest, 5); // → { ship: false, reason: 'test accuracy 80.50 ≤ 81.17 (current)' }
 */
export function shipVerdict(
  candidate: ClassScores,
  current: ClassScores | undefined,
  maxRecallGap: number,
): ShipVerdict {
  const pct = (x: number) => (x * 100).toFixed(2);
  const reasons: string[] = [];
  if (current && !(candidate.accuracy > current.accuracy))
    reasons.push(`test accuracy ${pct(candidate.accuracy)} ≤ ${pct(current.accuracy)} (current)`);
  if (!(candidate.recallGap <= maxRecallGap))
    reasons.push(`test recalls ${candidate.recallGap.toFixed(2)} points apart (> ${maxRecallGap})`);
  if (reasons.length > 0) return { ship: false, reason: reasons.join('; ') };
  const than = current ? ` > ${pct(current.accuracy)} (current)` : ' (no current bundle)';
  return {
    ship: true,
    reason: `test accuracy ${pct(candidate.accuracy)}${than}, recalls ${candidate.recallGap.toFixed(2)} points apart`,
  };
}

/** The files of a sentiment bundle; everything else in the target (MODEL_CARD.md) is kept. */
const BUNDLE_FILES = ['bundle.json', 'model.onnx', 'tokenizer', DECISION_FILE, NGRAM_FILE];

/**
 * Replaces the bundle files of `target` with `bundle`'s in one rename, keeping its other files (the model card).
 * @example replaceBundle('runs/sentiment/bundle', 'models/taskflow/sentiment-analysis');
 */
export async function replaceBundle(bundle: string, target: string): Promise<void> {
  loadDecision(bundle); // a broken decision file or n-gram model fails here, before anything moves
  await writeDirAtomic(target, (tmp) => {
    if (existsSync(target))
      for (const entry of readdirSync(target))
        if (!BUNDLE_FILES.includes(entry)) cpSync(join(target, entry), join(tmp, entry), { recursive: true });
    for (const entry of BUNDLE_FILES)
      if (existsSync(join(bundle, entry))) cpSync(join(bundle, entry), join(tmp, entry), { recursive: true });
  });
}
