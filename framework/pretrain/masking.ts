/**
 * BERT's masked-LM corruption: choose ~15% of the (non-special) tokens of a chunk, replace 80% of the
 * chosen with [MASK], 10% with a random token, keep 10%; the model predicts the originals. With
 * whole-word masking, a word found by the segmenter is chosen or skipped as a unit. Deterministic given
 * the random generator, which the trainer seeds per (epoch, chunk) so masks change every epoch.
 */
import { ConfigError } from '../errors.js';
import type { SeededRandom } from '../random.js';

export interface MaskingOptions {
  /** Fraction of tokens to predict. Default 0.15. */
  probability?: number;
  /**
   * Of the chosen tokens: fraction replaced by [MASK] (default 0.8) and by a random token (default 0.1); the rest stay.
   */
  maskFraction?: number;
  randomFraction?: number;
  /** Choose whole words (units of `wordStart`) rather than single tokens. */
  wholeWord?: boolean;
}

/** What {@link maskChunk} needs to know about the vocabulary. */
export interface MaskVocab {
  maskId: number;
  /** Ids a random replacement is drawn from (no special tokens). */
  randomIds: Int32Array;
  /** Tokens never chosen ([CLS], [SEP], [PAD]). */
  isSpecial: (id: number) => boolean;
}

/** A corrupted chunk: the model input and the positions (in the chunk) and original ids to predict. */
export interface MaskedChunk {
  inputIds: Int32Array;
  positions: number[];
  labels: number[];
}

/** Resolved options with checks. */
export function resolveMasking(options: MaskingOptions = {}): Required<MaskingOptions> {
  const r = {
    probability: options.probability ?? 0.15,
    maskFraction: options.maskFraction ?? 0.8,
    randomFraction: options.randomFraction ?? 0.1,
    wholeWord: options.wholeWord ?? false,
  };
  if (!(r.probability > 0 && r.probability < 1))
    throw new ConfigError(`masking probability must be in (0, 1), got ${r.probability}`);
  if (!(r.maskFraction >= 0 && r.randomFraction >= 0 && r.maskFraction + r.randomFraction <= 1)) {
    throw new ConfigError(
      `mask and random fractions must be ≥ 0 and sum to ≤ 1, got ${r.maskFraction} and ${r.randomFraction}`,
    );
  }
  return r;
}

/**
 * Masks one chunk. `wordStart[i]` is 1 where token i begins a word (0 = continues the previous token's
 * word); without it, or with `wholeWord` off, every token is its own unit. Units are shuffled and
 * taken while they fit in round(15% × tokens) (at least one token), as in Google's `create_pretraining_data.py`.
 * @example
 * const vocab = { maskId: 4, randomIds: Int32Array.of(5, 6, 7), isSpecial: (id: number) => id < 5 };
 * maskChunk(Int32Array.of(2, 5, 6, 7, 5, 6, 3), undefined, vocab, new SeededRandom(1), { probability: 0.4 });
 * // → { inputIds: [2, 5, 4, 7, 4, 6, 3], positions: [2, 4], labels: [6, 5] }
 * //   (positions sorted; exact picks depend on the seed)
 */
export function maskChunk(
  ids: Int32Array,
  wordStart: Uint8Array | undefined,
  vocab: MaskVocab,
  rng: SeededRandom,
  options: MaskingOptions = {},
): MaskedChunk {
  const o = resolveMasking(options);
  const units: number[][] = [];
  let candidates = 0;
  for (let i = 0; i < ids.length; i++) {
    if (vocab.isSpecial(ids[i]!)) continue;
    candidates++;
    const last = units[units.length - 1];
    if (o.wholeWord && wordStart && wordStart[i] === 0 && last && last[last.length - 1] === i - 1) last.push(i);
    else units.push([i]);
  }
  const inputIds = Int32Array.from(ids);
  if (candidates === 0) return { inputIds, positions: [], labels: [] };
  const budget = Math.max(1, Math.round(candidates * o.probability));
  const order = rng.shuffle(units.map((_, i) => i));
  const chosen: number[] = [];
  for (const u of order) {
    if (chosen.length >= budget) break;
    const unit = units[u]!;
    if (chosen.length + unit.length > budget) continue;
    chosen.push(...unit);
  }
  chosen.sort((a, b) => a - b);
  const labels: number[] = [];
  for (const pos of chosen) {
    labels.push(ids[pos]!);
    const r = rng.next();
    if (r < o.maskFraction) inputIds[pos] = vocab.maskId;
    else if (r < o.maskFraction + o.randomFraction) inputIds[pos] = vocab.randomIds[rng.int(vocab.randomIds.length)]!;
  }
  return { inputIds, positions: chosen, labels };
}
