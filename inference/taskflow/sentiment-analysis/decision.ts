/**
 * A sentiment bundle's decision rule: `sentiment.json` beside `bundle.json` holds a bias added to the margin
 * `log p(positive) − log p(negative)` before the label is taken, chosen on dev so the two classes' recalls are equal
 * (`evaluate.ts`'s `balancedBias`). A bundle without the file decides at bias 0 (the higher probability).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError } from '../../../framework/errors.js';
import type { Polarity } from './reviews.js';

/** The decision file's name in a bundle directory. */
export const DECISION_FILE = 'sentiment.json';
const FORMAT = 'fewprompt-sentiment-decision';
const VERSION = 1;

/** `sentiment.json`: the bias and where it was chosen. */
export interface SentimentDecision {
  readonly format: typeof FORMAT;
  readonly formatVersion: typeof VERSION;
  /** Added to `log p(positive) − log p(negative)`; positive when the sum is above 0. */
  readonly positiveBias: number;
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
  const file: SentimentDecision = { format: FORMAT, formatVersion: VERSION, ...decision };
  writeFileSync(join(dir, DECISION_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * The bundle's decision bias: 0 without `sentiment.json`; a file of another format, or a bias that is not a finite
 * number, is a `BundleError` naming the file.
 * @example readDecisionBias('models/taskflow/sentiment-analysis'); // → the shipped bias (its MODEL_CARD.md)
 */
export function readDecisionBias(dir: string): number {
  const file = join(dir, DECISION_FILE);
  if (!existsSync(file)) return 0;
  let parsed: Partial<SentimentDecision>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SentimentDecision>;
  } catch (error) {
    throw new BundleError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (parsed.format !== FORMAT || parsed.formatVersion !== VERSION)
    throw new BundleError(
      `${file}: format ${String(parsed.format)} v${String(parsed.formatVersion)}, expected ${FORMAT} v${VERSION}`,
    );
  if (typeof parsed.positiveBias !== 'number' || !Number.isFinite(parsed.positiveBias))
    throw new BundleError(`${file}: positiveBias must be a finite number, got ${String(parsed.positiveBias)}`);
  return parsed.positiveBias;
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
