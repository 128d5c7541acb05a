/**
 * Per-row logit processing shared by every strategy, in float64 on the host (vocabularies here are a few
 * thousand entries; a row is processed in microseconds).
 */
import { ConfigError } from '../errors.js';
import type { GenerationArgs } from './base.js';

/**
 * Row `r` of a row-major [rows · vocab] logits array, with banned tokens (and EOS before `minOutLen`) at −∞ and the
 * tokens already generated (`tokens`, the row's continuation so far) penalised by `repetitionPenalty`.
 */
export function maskedRow(
  all: Float32Array,
  r: number,
  vocab: number,
  args: GenerationArgs,
  tokens: readonly number[],
): Float64Array {
  const generated = tokens.length;
  const row = Float64Array.from(all.subarray(r * vocab, (r + 1) * vocab));
  if (args.repetitionPenalty !== 1)
    for (const id of new Set(tokens)) {
      const v = row[id]!;
      row[id] = v > 0 ? v / args.repetitionPenalty : v * args.repetitionPenalty;
    }
  for (const id of args.bannedTokenIds) if (id < vocab) row[id] = -Infinity;
  if (generated < args.minOutLen) row[args.eosTokenId] = -Infinity;
  if (!row.some((v) => v > -Infinity))
    throw new ConfigError(
      `no token may follow at output position ${generated}: every token is banned` +
        `${generated < args.minOutLen ? ` and EOS is held back by minOutLen ${args.minOutLen}` : ''}`,
    );
  return row;
}

/** log-softmax in place; returns the row. */
export function logSoftmax(row: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const log = max + Math.log(sum);
  for (let i = 0; i < row.length; i++) row[i] = row[i]! - log;
  return row;
}

/** Index of the largest value (the lowest index among ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** Indices of the k largest values, best first (ties: lower index first). */
export function topIndices(row: ArrayLike<number>, k: number): number[] {
  const n = Math.min(k, row.length);
  const out: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    if (v === -Infinity || (out.length === n && v <= row[out[n - 1]!]!)) continue;
    let at = out.length;
    while (at > 0 && row[out[at - 1]!]! < v) at--;
    out.splice(at, 0, i);
    if (out.length > n) out.pop();
  }
  return out;
}

/**
 * The sampling distribution: temperature, then top-k, then top-p (nucleus: the smallest set of most likely
 * tokens whose probability reaches p). Returns candidate ids (most likely first) and their renormalised probabilities.
 */
export function samplingDistribution(
  row: Float64Array,
  args: Pick<GenerationArgs, 'temperature' | 'topK' | 'topP'>,
): { ids: number[]; probs: number[] } {
  const scaled = row.map((v) => v / args.temperature);
  const k = args.topK > 0 ? args.topK : scaled.length;
  const ids = topIndices(scaled, k);
  const max = scaled[ids[0]!]!;
  let probs = ids.map((i) => Math.exp(scaled[i]! - max));
  let total = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / total);
  if (args.topP < 1) {
    let mass = 0;
    let keep = 0;
    while (keep < probs.length && mass < args.topP) mass += probs[keep++]!;
    ids.length = keep;
    probs = probs.slice(0, keep);
    total = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / total);
  }
  return { ids, probs };
}

/** Draws from a distribution with a uniform number u in [0, 1). */
export function drawFrom(dist: { ids: number[]; probs: number[] }, u: number): number {
  let acc = 0;
  for (let i = 0; i < dist.ids.length; i++) {
    acc += dist.probs[i]!;
    if (u < acc) return dist.ids[i]!;
  }
  return dist.ids[dist.ids.length - 1]!;
}

/** GNMT length penalty ((5 + length) / 6)^alpha. */
export function lengthPenalty(length: number, alpha: number): number {
  return Math.pow((5 + length) / 6, alpha);
}
