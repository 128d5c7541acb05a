/**
 * Interpolated modified Kneser-Ney (Chen & Goodman 1998, as KenLM's lmplz estimates it) for a character
 * n-gram model, with count cut-offs, written out in backoff form (ngram-lm.ts).
 *
 * - Counts: the highest order and n-grams that start with `<s>` use raw counts; every other n-gram uses
 *   its continuation count N1+(• g), the number of distinct tokens seen before it.
 * - Discounts D1, D2, D3+ per order from the counts of counts n1..n4 of those counts:
 *   Y = n1 / (n1 + 2 n2), Dk = k − (k + 1) Y n(k+1) / nk. When a count of counts is 0 (tiny corpora) or a
 *   discount falls outside (0, k], the order takes KenLM's fallback 0.5, 1, 1.5.
 * - p(w | h) = (a(hw) − D(a(hw))) / Σ a(h•) + γ(h) p(w | h'), with h' = h without its first token; the
 *   unigrams interpolate with the uniform distribution over the vocabulary (`<s>` excluded).
 * - Cut-offs: an n-gram whose raw count is below `minCounts[n]` is dropped and its discounted mass moves
 *   to γ(h) = 1 − Σ_kept (a − D) / Σ a(h•), which keeps every p(• | h) normalised. Raw counts never grow
 *   with the order, so with non-decreasing cut-offs every kept n-gram keeps its prefix and its suffix.
 *
 * N-grams are packed as base-V numbers in float64 (exact below 2^53: V ≤ 9,741 at order 4).
 */
import { ConfigError } from '../../../framework/errors.js';
import { quantizeLevel } from './ngram-format.js';
import { BOS, EOS, type NgramLevel, type NgramTables } from './ngram-lm.js';

/** Unique n-grams of one order, sorted, with their raw counts. */
export interface OrderCounts {
  readonly codes: Float64Array;
  readonly counts: Uint32Array;
}

/** What the estimator found, per order (index 0: unigrams). */
export interface KneserNeyStats {
  /** Distinct n-grams before the cut-offs. */
  readonly seen: number[];
  /** N-grams kept. */
  readonly kept: number[];
  /** D1, D2, D3+ per order. */
  readonly discounts: [number, number, number][];
  /** Orders that took the fallback discounts. */
  readonly fallback: number[];
}

/** Options of {@link estimateKneserNey}. */
export interface KneserNeyOptions {
  readonly order: number;
  /** Minimum raw count per order (index 0: unigrams, ignored: every vocabulary token stays); non-decreasing. */
  readonly minCounts?: readonly number[];
}

const FALLBACK: [number, number, number] = [0.5, 1, 1.5];

/**
 * Every valid n-gram of `tokens` (sentences `<s> … </s>` back to back): `<s>` only first, `</s>` only last.
 * @example countOrder(Uint16Array.of(0, 3, 1), 2, 4) // → { codes: [3 (<s> a), 13 (a </s>)], counts: [1, 1] }
 */
export function countOrder(tokens: Uint16Array, n: number, vocabSize: number): OrderCounts {
  const buf = new Float64Array(Math.max(0, tokens.length - n + 1));
  let m = 0;
  outer: for (let s = 0; s + n <= tokens.length; s++) {
    let code = 0;
    for (let k = 0; k < n; k++) {
      const t = tokens[s + k]!;
      if ((t === BOS && k > 0) || (t === EOS && k < n - 1)) continue outer;
      code = code * vocabSize + t;
    }
    buf[m++] = code;
  }
  return runLengths(buf.subarray(0, m).sort());
}

/** Unique values of a sorted array and how often each occurs. */
function runLengths(sorted: Float64Array): OrderCounts {
  let u = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) u++;
  const codes = new Float64Array(u);
  const counts = new Uint32Array(u);
  let k = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) codes[++k] = sorted[i]!;
    counts[k]!++;
  }
  return { codes, counts };
}

/** Index of `code` in sorted `codes`, or −1. */
export function findCode(codes: Float64Array, code: number): number {
  let lo = 0;
  let hi = codes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = codes[mid]!;
    if (v === code) return mid;
    if (v < code) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** KN counts of order n: continuation counts from order n + 1, raw counts for `<s>`-initial n-grams. */
function adjustedCounts(raw: OrderCounts, higher: OrderCounts | undefined, n: number, v: number): Uint32Array {
  if (!higher) return raw.counts;
  const span = v ** n;
  const suffixes = runLengths(higher.codes.map((c) => c % span).sort());
  const out = new Uint32Array(raw.codes.length);
  const bosBelow = v ** (n - 1); // codes below this start with <s> (token 0)
  let j = 0;
  raw.codes.forEach((code, i) => {
    if (code < bosBelow) {
      out[i] = raw.counts[i]!;
      return;
    }
    while (suffixes.codes[j]! < code) j++;
    out[i] = suffixes.counts[j]!;
  });
  return out;
}

/** D1, D2, D3+ from the counts of counts (the unigram `<s>` excluded by the caller). */
export function discounts(adjusted: ArrayLike<number>): { d: [number, number, number]; fallback: boolean } {
  const n = [0, 0, 0, 0, 0];
  for (let i = 0; i < adjusted.length; i++) if (adjusted[i]! <= 4) n[adjusted[i]!]!++;
  const [, n1, n2, n3, n4] = n as [number, number, number, number, number];
  if (!(n1 && n2 && n3 && n4)) return { d: FALLBACK, fallback: true };
  const y = n1 / (n1 + 2 * n2);
  const d: [number, number, number] = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
  return d.every((x, k) => x > 0 && x <= k + 1) ? { d, fallback: false } : { d: FALLBACK, fallback: true };
}

const discountOf = (d: readonly number[], a: number): number => (a === 0 ? 0 : a >= 3 ? d[2]! : d[a - 1]!);

/** Per order: kept codes (forward order), ln p, and ln backoff (filled by the next order). */
interface ForwardLevel {
  readonly codes: Float64Array;
  readonly logProb: Float64Array;
  readonly logBackoff: Float64Array;
}

/**
 * Estimates the model from a token stream of sentences (`<s> … </s>` back to back).
 * @example
 * const { tables } = estimateKneserNey(tokens, ['<s>', '</s>', '<unk>', '好', '吃'], { order: 3 });
 * new NgramLm(tables).logProb(Int32Array.of(0, 3, 4, 1), 2); // → ln p(吃 | <s> 好)
 */
export function estimateKneserNey(
  tokens: Uint16Array,
  vocab: readonly string[],
  options: KneserNeyOptions,
): { tables: NgramTables; stats: KneserNeyStats } {
  const { order } = options;
  const v = vocab.length;
  const minCounts = options.minCounts ?? Array.from({ length: order }, () => 1);
  if (!(order >= 1 && order <= 8)) throw new ConfigError(`order must be in 1..8, got ${order}`);
  if (v ** order > 2 ** 53)
    throw new ConfigError(`a vocabulary of ${v} tokens at order ${order} overflows the 53-bit n-gram codes`);
  if (minCounts.some((c, i) => i > 1 && c < minCounts[i - 1]!))
    throw new ConfigError(`minCounts must not decrease with the order, got ${minCounts.join(', ')}`);
  const raw = Array.from({ length: order }, (_, k) => countOrder(tokens, k + 1, v));
  const stats: KneserNeyStats = { seen: raw.map((r) => r.codes.length), kept: [], discounts: [], fallback: [] };
  const forward: ForwardLevel[] = [];
  for (let k = 0; k < order; k++) {
    const adjusted = adjustedCounts(raw[k]!, raw[k + 1], k + 1, v);
    const { d, fallback } = discounts(k === 0 ? adjusted.filter((_, i) => raw[0]!.codes[i] !== BOS) : adjusted);
    stats.discounts.push(d);
    if (fallback) stats.fallback.push(k + 1);
    const level =
      k === 0
        ? unigrams(raw[0]!, adjusted, d, v)
        : higherOrder(raw[k]!, adjusted, d, forward[k - 1]!, v, k + 1, minCounts[k] ?? 1);
    forward.push(level);
    stats.kept.push(level.codes.length);
  }
  return { tables: { vocab, levels: toReversedTrie(forward, v) }, stats };
}

/** Unigram level: every vocabulary token, interpolated with the uniform distribution. */
function unigrams(raw: OrderCounts, adjusted: Uint32Array, d: readonly number[], v: number): ForwardLevel {
  const a = new Float64Array(v);
  raw.codes.forEach((code, i) => {
    if (code !== BOS) a[code] = adjusted[i]!;
  });
  let total = 0;
  let kept = 0;
  for (const x of a) {
    total += x;
    kept += x - discountOf(d, x);
  }
  if (total === 0) throw new ConfigError('the corpus has no tokens to count');
  const gamma = 1 - kept / total;
  const logProb = new Float64Array(v);
  for (let w = 0; w < v; w++)
    logProb[w] = w === BOS ? -99 : Math.log((a[w]! - discountOf(d, a[w]!)) / total + gamma / (v - 1));
  return { codes: Float64Array.from({ length: v }, (_, i) => i), logProb, logBackoff: new Float64Array(v) };
}

/** One order above the unigrams: the kept n-grams' interpolated ln p, and γ of their contexts. */
function higherOrder(
  raw: OrderCounts,
  adjusted: Uint32Array,
  d: readonly number[],
  lower: ForwardLevel,
  v: number,
  n: number,
  minCount: number,
): ForwardLevel {
  const keep = raw.counts.map((c) => (c >= minCount ? 1 : 0));
  const kept = keep.reduce((s, x) => s + x, 0);
  const codes = new Float64Array(kept);
  const logProb = new Float64Array(kept);
  const span = v ** (n - 1);
  let out = 0;
  for (let start = 0; start < raw.codes.length; ) {
    const context = Math.floor(raw.codes[start]! / v);
    let end = start;
    let total = 0;
    let mass = 0;
    for (; end < raw.codes.length && Math.floor(raw.codes[end]! / v) === context; end++) {
      total += adjusted[end]!;
      if (keep[end]) mass += adjusted[end]! - discountOf(d, adjusted[end]!);
    }
    const gamma = 1 - mass / total;
    const ctx = findCode(lower.codes, context);
    if (ctx >= 0) lower.logBackoff[ctx] = Math.log(gamma);
    for (let i = start; i < end; i++) {
      if (!keep[i]) continue;
      const suffix = findCode(lower.codes, raw.codes[i]! % span);
      if (ctx < 0 || suffix < 0) throw new ConfigError(`order ${n}: a kept n-gram lost its prefix or suffix`);
      const a = adjusted[i]!;
      codes[out] = raw.codes[i]!;
      logProb[out++] = Math.log((a - discountOf(d, a)) / total + gamma * Math.exp(lower.logProb[suffix]!));
    }
    start = end;
  }
  return { codes, logProb, logBackoff: new Float64Array(kept) };
}

/** Forward-sorted levels → the reversed trie of ngram-lm.ts, quantised above the unigrams. */
function toReversedTrie(forward: readonly ForwardLevel[], v: number): NgramLevel[] {
  const reversed = forward.map((level, k) => level.codes.map((c) => reverseCode(c, k + 1, v)).sort());
  return forward.map((level, k) => {
    const rev = reversed[k]!;
    const ids = new Uint16Array(rev.length);
    const logProb = new Float32Array(rev.length);
    const logBackoff = new Float32Array(rev.length);
    rev.forEach((r, i) => {
      const at = findCode(level.codes, reverseCode(r, k + 1, v));
      ids[i] = k === 0 ? r : r % v;
      logProb[i] = level.logProb[at]!;
      logBackoff[i] = level.logBackoff[at]!;
    });
    const inner = k < forward.length - 1;
    const [p, b] = quantizeLevel(inner ? { logProb, logBackoff } : { logProb }, k === 0);
    return { ids, logProb: p!, ...(inner ? { logBackoff: b!, first: childStarts(rev, reversed[k + 1]!, v) } : {}) };
  });
}

/** The same n-gram with its tokens in the opposite order. */
function reverseCode(code: number, n: number, v: number): number {
  let out = 0;
  let c = code;
  for (let k = 0; k < n; k++) {
    const t = c % v;
    out = out * v + t;
    c = (c - t) / v;
  }
  return out;
}

/** first[i] = index in `children` of the first child of parents[i] (a child's parent is floor(code / V)). */
function childStarts(parents: Float64Array, children: Float64Array, v: number): Uint32Array {
  const first = new Uint32Array(parents.length + 1);
  let j = 0;
  for (let i = 0; i < parents.length; i++) {
    first[i] = j;
    while (j < children.length && Math.floor(children[j]! / v) === parents[i]) j++;
  }
  first[parents.length] = j;
  if (j !== children.length) throw new ConfigError('an n-gram has no parent in the level below');
  return first;
}
