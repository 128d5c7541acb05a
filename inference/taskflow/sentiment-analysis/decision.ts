/**
 * A sentiment bundle's decision rule: `sentiment.json` beside `bundle.json` holds a bias added to the margin
 * `log p(positive) − log p(negative)` before the label is taken, chosen on dev so the two classes' recalls are equal
 * (`evaluate.ts`'s `balancedBias`). A bundle without the file decides at bias 0 (the higher probability).
 * Version 2 adds `ngramWeight` w: the margin decided on is (1 − w) × the encoder's + w × that of the bundle's
 * character n-gram model (`ngram.tsv`, ngram.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError } from '../../../framework/errors.js';
import { NGRAM_FILE, NgramSentimentModel } from './ngram.js';
import type { Polarity } from './reviews.js';

/** The decision file's name in a bundle directory. */
export const DECISION_FILE = 'sentiment.json';
const FORMAT = 'fewprompt-sentiment-decision';
const VERSION = 2;

/** `sentiment.json`: the bias and where it was chosen. */
export interface SentimentDecision {
  readonly format: typeof FORMAT;
  readonly formatVersion: 1 | typeof VERSION;
  /** Added to `log p(positive) − log p(negative)`; positive when the sum is above 0. */
  readonly positiveBias: number;
  /** Version 2: `ngram.tsv`'s share w of the margin, (1 − w) the encoder's (absent: no n-gram model). */
  readonly ngramWeight?: number;
  /** How the bias was chosen (the dev sets, the rule), for the record. */
  readonly chosenOn?: string;
  /** Dev scores at the bias, for the record. */
  readonly dev?: Record<string, unknown>;
}

/**
 * Writes `dir/sentiment.json`.
 * @example writeDecision('runs/sentiment/bundle', { positiveBias: -0.21, chosenOn: 'dev: ChnSentiCorp + slices' });
 */
export function writeDecision(dir: string, decision: Omit<SentimentDecision, 'format' | 'formatVersion'>): void {
  // Version 1 where it says all there is, so older readers keep reading bundles without an n-gram model.
  const formatVersion = decision.ngramWeight === undefined ? 1 : VERSION;
  const file: SentimentDecision = { format: FORMAT, formatVersion, ...decision };
  writeFileSync(join(dir, DECISION_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

/** A bundle's decision rule, loaded: the bias and, from version 2, the n-gram model and its weight. */
export interface Decision {
  readonly bias: number;
  readonly ngram?: { readonly model: NgramSentimentModel; readonly weight: number };
}

/**
 * The bundle's decision rule: bias 0 without `sentiment.json`; a file of another format, a bias or weight that is not
 * a finite number, or an `ngramWeight` without a readable `ngram.tsv` is a `BundleError` naming the file.
 * @example loadDecision('models/taskflow/sentiment-analysis').bias; // → the shipped bias (its MODEL_CARD.md)
 */
export function loadDecision(dir: string): Decision {
  const file = join(dir, DECISION_FILE);
  if (!existsSync(file)) return { bias: 0 };
  let parsed: Partial<SentimentDecision>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SentimentDecision>;
  } catch (error) {
    throw new BundleError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (parsed.format !== FORMAT || (parsed.formatVersion !== 1 && parsed.formatVersion !== VERSION))
    throw new BundleError(
      `${file}: format ${String(parsed.format)} v${String(parsed.formatVersion)}, expected ${FORMAT} v1 or v${VERSION}`,
    );
  if (typeof parsed.positiveBias !== 'number' || !Number.isFinite(parsed.positiveBias))
    throw new BundleError(`${file}: positiveBias must be a finite number, got ${String(parsed.positiveBias)}`);
  const weight = parsed.ngramWeight;
  if (weight === undefined) return { bias: parsed.positiveBias };
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1))
    throw new BundleError(`${file}: ngramWeight must be a number from 0 to 1, got ${String(weight)}`);
  const ngramFile = join(dir, NGRAM_FILE);
  if (!existsSync(ngramFile)) throw new BundleError(`${file}: ngramWeight ${weight} but ${ngramFile} is missing`);
  return { bias: parsed.positiveBias, ngram: { model: NgramSentimentModel.load(ngramFile), weight } };
}

/**
 * The bundle's decision bias (`loadDecision(dir).bias`).
 * @example readDecisionBias('models/taskflow/sentiment-analysis'); // → the shipped bias (its MODEL_CARD.md)
 */
export function readDecisionBias(dir: string): number {
  return loadDecision(dir).bias;
}

/**
 * The margin a decision is taken on, before the bias: the encoder's, mixed with the n-gram model's where there is one.
 * @example combinedMargin(decision, 0.8, '物流很快'); // → (1 − w) × 0.8 + w × the n-gram margin
 */
export function combinedMargin(decision: Decision, encoderMargin: number, text: string): number {
  if (!decision.ngram) return encoderMargin;
  const { weight, model } = decision.ngram;
  return mixMargins(encoderMargin, model.margin(text), weight);
}

/**
 * (1 − w) × the encoder's margin + w × the n-gram model's.
 * @example mixMargins(2, -1, 0.25); // → 1.25
 */
export function mixMargins(encoder: number, ngram: number, weight: number): number {
  return (1 - weight) * encoder + weight * ngram;
}

/**
 * The margin `log p(positive) − log p(negative)` of two probabilities.
 * @example marginOf(0.75, 0.25); // → 1.0986 (log 3)
 */
export function marginOf(positive: number, negative: number): number {
  return Math.log(positive) - Math.log(negative);
}

/**
 * The label at a bias and its probability after the bias (the two-label softmax of the shifted margin), so the score
 * of the label given is always at least 0.5.
 * @example decide(marginOf(0.45, 0.55), 0.3); // → { label: 1, score: 0.525 }
 */
export function decide(margin: number, bias: number): { label: Polarity; score: number } {
  const shifted = margin + bias;
  const positive = 1 / (1 + Math.exp(-shifted));
  return shifted > 0 ? { label: 1, score: positive } : { label: 0, score: 1 - positive };
}
