/**
 * A linear sentiment model over a review's character n-grams: NBSVM's logistic-regression variant (Wang & Manning,
 * "Baselines and Bigrams", 2012) — each n-gram's presence scaled by its naive-Bayes log-count ratio, then an L2
 * logistic regression. On ChnSentiCorp it is a strong baseline (92–93% with 1–3-grams), and its errors differ from the
 * encoder's, so the recipe mixes the two margins with a weight chosen on dev (decision.ts).
 * Saved as `ngram.tsv` beside the bundle: one `gram<TAB>weight` line per n-gram (the ratio folded into the weight),
 * the intercept on a first `#bias` line.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../../framework/checkpoint/atomic.js';
import { BundleError } from '../../../framework/errors.js';
import type { Review } from './reviews.js';

/** The n-gram model's file name in a bundle directory. */
export const NGRAM_FILE = 'ngram.tsv';
const HEADER = '#fewprompt-sentiment-ngram v1';

/** How the n-gram model is trained. */
export interface NgramTrainOptions {
  /** Longest n-gram, in characters. */
  readonly maxN: number;
  /** An n-gram must occur in at least this many training reviews. */
  readonly minCount: number;
  /** Inverse L2 strength (the loss is the sum of log-losses + ‖w‖² / 2C). */
  readonly c: number;
  /** L-BFGS iterations at most. */
  readonly iterations: number;
  /** Weights smaller than this (after the ratio is folded in) are dropped from the saved model. */
  readonly prune: number;
}

export const NGRAM_DEFAULTS: NgramTrainOptions = { maxN: 3, minCount: 2, c: 0.3, iterations: 300, prune: 1e-3 };

/** The n-gram model's shares of the mixed margin tried on dev (0: the encoder alone; 1: the n-grams alone). */
export const NGRAM_WEIGHTS: readonly number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * The distinct character n-grams (1 to `maxN`) of a text after NFKC, lower case and no white space (punctuation
 * stays: `！！` and `。。。` carry sentiment).
 * @example [...charNgrams('很 好', 2)]; // → ['很', '好', '很好']
 */
export function charNgrams(text: string, maxN: number): Set<string> {
  const chars = [...text.normalize('NFKC').replace(/\s+/gu, '').toLowerCase()];
  const grams = new Set<string>();
  for (let n = 1; n <= maxN; n++) for (let i = 0; i + n <= chars.length; i++) grams.add(chars.slice(i, i + n).join(''));
  return grams;
}

/** A trained n-gram model: a weight per n-gram and an intercept; `margin` is its log-odds of positive. */
export class NgramSentimentModel {
  constructor(
    private readonly weights: ReadonlyMap<string, number>,
    readonly bias: number,
    readonly maxN: number,
  ) {}

  /** n-grams with a weight. */
  get size(): number {
    return this.weights.size;
  }

  /**
   * log p(positive) − log p(negative) for one text.
   * @example model.margin('服务很好'); // → 2.1 (positive)
   */
  margin(text: string): number {
    let z = this.bias;
    for (const g of charNgrams(text, this.maxN)) z += this.weights.get(g) ?? 0;
    return z;
  }

  /**
   * Trains on labelled reviews (deterministic: no sampling).
   * @example const model = NgramSentimentModel.train(mix.train);
   */
  static train(reviews: readonly Review[], options: Partial<NgramTrainOptions> = {}): NgramSentimentModel {
    const o = { ...NGRAM_DEFAULTS, ...options };
    const docs = reviews.map((r) => [...charNgrams(r.text, o.maxN)]);
    const count = new Map<string, number>();
    for (const d of docs) for (const g of d) count.set(g, (count.get(g) ?? 0) + 1);
    const index = new Map<string, number>();
    for (const [g, n] of count) if (n >= o.minCount) index.set(g, index.size);
    // CSR rows of feature indices; every value is the feature's log-count ratio.
    const rowStart = new Int32Array(docs.length + 1);
    const cols: number[] = [];
    docs.forEach((d, i) => {
      for (const g of d) {
        const j = index.get(g);
        if (j !== undefined) cols.push(j);
      }
      rowStart[i + 1] = cols.length;
    });
    const col = Int32Array.from(cols);
    const y = Float64Array.from(reviews, (r) => (r.label === 1 ? 1 : -1));
    const ratio = logCountRatio(index.size, rowStart, col, y);
    const w = lbfgs(logisticLoss(rowStart, col, ratio, y, o.c), index.size + 1, o.iterations);
    const weights = new Map<string, number>();
    for (const [g, j] of index) {
      const v = w[j]! * ratio[j]!;
      if (Math.abs(v) >= o.prune) weights.set(g, v);
    }
    return new NgramSentimentModel(weights, w[index.size]!, o.maxN);
  }

  /** Writes the model as `gram<TAB>weight` lines (weights to 5 significant digits). */
  save(file: string): void {
    const lines = [HEADER, `#maxN\t${this.maxN}`, `#bias\t${this.bias.toPrecision(8)}`];
    for (const [g, v] of this.weights) lines.push(`${g}\t${v.toPrecision(5)}`);
    writeFileAtomic(file, [new TextEncoder().encode(`${lines.join('\n')}\n`)]);
  }

  /**
   * Reads a saved model; a file in another format, or a line that is not `gram<TAB>number`, is a BundleError
   * naming the file and line.
   */
  static load(file: string): NgramSentimentModel {
    const lines = readFileSync(file, 'utf8').split('\n');
    if (lines[0] !== HEADER) throw new BundleError(`${file}:1: expected '${HEADER}', got '${lines[0]?.slice(0, 40)}'`);
    const weights = new Map<string, number>();
    let bias = Number.NaN;
    let maxN = Number.NaN;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') continue;
      const tab = line.lastIndexOf('\t');
      const value = Number(line.slice(tab + 1));
      if (tab <= 0 || !Number.isFinite(value))
        throw new BundleError(`${file}:${i + 1}: expected 'gram<TAB>number', got '${line.slice(0, 40)}'`);
      const key = line.slice(0, tab);
      if (i === 1 && key === '#maxN') maxN = value;
      else if (i === 2 && key === '#bias') bias = value;
      else weights.set(key, value);
    }
    if (!(Number.isInteger(maxN) && maxN >= 1 && Number.isFinite(bias)))
      throw new BundleError(`${file}: expected '#maxN' and '#bias' on lines 2 and 3`);
    return new NgramSentimentModel(weights, bias, maxN);
  }
}

/** Naive Bayes' log-count ratio per feature, add-one smoothed: log((p/|p|₁) / (q/|q|₁)). */
function logCountRatio(features: number, rowStart: Int32Array, col: Int32Array, y: Float64Array): Float64Array {
  const p = new Float64Array(features).fill(1);
  const q = new Float64Array(features).fill(1);
  for (let i = 0; i < y.length; i++) {
    const counts = y[i]! > 0 ? p : q;
    for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) counts[col[k]!]! += 1;
  }
  const [sp, sq] = [p.reduce((a, b) => a + b, 0), q.reduce((a, b) => a + b, 0)];
  return p.map((v, j) => Math.log(v / sp / (q[j]! / sq)));
}

type Objective = (w: Float64Array, grad: Float64Array) => number;

/** L2-regularised logistic loss over the scaled features; the last weight is the (unregularised) intercept. */
function logisticLoss(
  rowStart: Int32Array,
  col: Int32Array,
  ratio: Float64Array,
  y: Float64Array,
  c: number,
): Objective {
  const n = ratio.length;
  return (w, grad) => {
    let loss = 0;
    grad.fill(0);
    for (let i = 0; i < y.length; i++) {
      let z = w[n]!;
      for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) z += w[col[k]!]! * ratio[col[k]!]!;
      const m = y[i]! * z;
      // log(1 + e^−m), stable on both sides
      loss += m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
      const s = -y[i]! / (1 + Math.exp(m));
      for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) grad[col[k]!]! += s * ratio[col[k]!]!;
      grad[n]! += s;
    }
    for (let j = 0; j < n; j++) {
      loss += (w[j]! * w[j]!) / (2 * c);
      grad[j]! += w[j]! / c;
    }
    return loss;
  };
}

/**
 * Minimises a smooth convex objective with L-BFGS (memory 10, backtracking Armijo line search), from zero. Written
 * here rather than taken from a package: npm's optimisers work on dense arrays of objects or lack a line search,
 * and this problem needs neither more nor less than these 40 lines.
 */
export function lbfgs(f: Objective, dims: number, iterations: number, memory = 10): Float64Array {
  const w = new Float64Array(dims);
  const g = new Float64Array(dims);
  let loss = f(w, g);
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);
  const wNext = new Float64Array(dims);
  const gNext = new Float64Array(dims);
  for (let it = 0; it < iterations; it++) {
    // two-loop recursion: d = −H g
    const d = g.map((v) => -v);
    const alpha: number[] = [];
    for (let k = ss.length - 1; k >= 0; k--) {
      const a = dot(ss[k]!, d) / dot(ys[k]!, ss[k]!);
      alpha[k] = a;
      for (let j = 0; j < dims; j++) d[j]! -= a * ys[k]![j]!;
    }
    if (ss.length > 0) {
      const last = ss.length - 1;
      const scale = dot(ss[last]!, ys[last]!) / dot(ys[last]!, ys[last]!);
      for (let j = 0; j < dims; j++) d[j]! *= scale;
    }
    for (let k = 0; k < ss.length; k++) {
      const b = dot(ys[k]!, d) / dot(ys[k]!, ss[k]!);
      for (let j = 0; j < dims; j++) d[j]! += ss[k]![j]! * (alpha[k]! - b);
    }
    const slope = dot(g, d);
    if (!(slope < 0)) break;
    let step = ss.length === 0 ? 1 / Math.sqrt(dot(g, g)) : 1;
    let next = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 30; tries++) {
      for (let j = 0; j < dims; j++) wNext[j] = w[j]! + step * d[j]!;
      next = f(wNext, gNext);
      if (next <= loss + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(next < loss)) break;
    const s = wNext.map((v, j) => v - w[j]!);
    const yk = gNext.map((v, j) => v - g[j]!);
    if (dot(s, yk) > 1e-12) {
      ss.push(s);
      ys.push(yk);
      if (ss.length > memory) [ss, ys].forEach((a) => a.shift());
    }
    const converged = (loss - next) / Math.max(1, Math.abs(loss)) < 1e-9;
    w.set(wNext);
    g.set(gNext);
    loss = next;
    if (converged) break;
  }
  return w;
}
