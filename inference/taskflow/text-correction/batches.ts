/**
 * Sentence pairs → padded training batches for {@link CscModel}: one token per character ([CLS] …
 * [SEP]), detection labels on every character, correction targets on every wrong character and on a
 * sample of the right ones. Batches group sentences of similar length (little padding).
 */
import type { SeededRandom } from '../../../framework/random.js';
import type { CscPair } from './sighan.js';
import type { CharVocab } from './char-vocab.js';
import type { CscBatch } from './model.js';

/** An encoded pair: source and target ids (same length, no specials). */
export interface EncodedPair {
  readonly source: Int32Array;
  readonly target: Int32Array;
}

/**
 * Encodes pairs, cutting sentences longer than `maxChars` into consecutive pieces. With `crop`, a
 * sentence longer than `crop.chars` is cut to one window of that length instead, placed at random
 * but always holding its first error: local context is what corrects most spelling errors, and
 * short rows put more errors into each second of training.
 * @example encodePairs([{ id: 'a', source: '朋唷', target: '朋友' }], vocab, 126)
 * // → [{ source: [id(朋), id(唷)], target: [id(朋), id(友)] }]
 */
export function encodePairs(
  pairs: readonly CscPair[],
  vocab: CharVocab,
  maxChars: number,
  crop?: { chars: number; rng: SeededRandom },
): EncodedPair[] {
  return pairs.flatMap((p) => {
    const s = vocab.encode(p.source).ids;
    const t = vocab.encode(p.target).ids;
    if (crop && s.length > crop.chars) {
      const first = s.findIndex((id, i) => id !== t[i]);
      const lo = first < 0 ? 0 : Math.max(0, first - crop.chars + 1);
      const hi = first < 0 ? s.length - crop.chars : Math.min(first, s.length - crop.chars);
      const at = lo + crop.rng.int(hi - lo + 1);
      return [{ source: s.slice(at, at + crop.chars), target: t.slice(at, at + crop.chars) }];
    }
    const out: EncodedPair[] = [];
    for (let at = 0; at < s.length; at += maxChars)
      out.push({ source: s.slice(at, at + maxChars), target: t.slice(at, at + maxChars) });
    return out;
  });
}

/** A padded batch before the copy sample: every character's target id beside its detection label. */
export interface PaddedBatch extends Omit<CscBatch, 'correctPositions' | 'correctLabels'> {
  /** Per char position: the target id. */
  readonly charTargets: Int32Array;
}

/**
 * Pads rows into one batch: [CLS] chars [SEP] padding, detection labels and targets on every character.
 * @example padBatch(encoded.slice(0, 32), vocab).inputIds.length // → 32 · (longest + 2)
 */
export function padBatch(rows: readonly EncodedPair[], vocab: CharVocab): PaddedBatch {
  const seq = Math.max(...rows.map((r) => r.source.length)) + 2;
  const inputIds = new Int32Array(rows.length * seq).fill(vocab.pad);
  const attentionMask = new Int32Array(rows.length * seq);
  const charPositions: number[] = [];
  const wrong: number[] = [];
  const charTargets: number[] = [];
  rows.forEach((r, b) => {
    const base = b * seq;
    inputIds[base] = vocab.cls;
    inputIds.set(r.source, base + 1);
    inputIds[base + r.source.length + 1] = vocab.sep;
    attentionMask.fill(1, base, base + r.source.length + 2);
    for (let t = 0; t < r.source.length; t++) {
      charPositions.push(base + 1 + t);
      wrong.push(r.source[t] !== r.target[t] ? 1 : 0);
      charTargets.push(r.target[t]!);
    }
  });
  return {
    batch: rows.length,
    seq,
    inputIds,
    attentionMask,
    charPositions: Int32Array.from(charPositions),
    wrong: Float32Array.from(wrong),
    charTargets: Int32Array.from(charTargets),
  };
}

/**
 * The correction targets: every wrong character, and each right one with probability `keepRate` (its copy). A
 * target outside the vocabulary (`[UNK]`) is never trained.
 * @example sampleCorrections(padBatch(rows, vocab), vocab, 0.15, new SeededRandom(1)).correctPositions
 */
export function sampleCorrections(batch: PaddedBatch, vocab: CharVocab, keepRate: number, rng: SeededRandom): CscBatch {
  const correctPositions: number[] = [];
  const correctLabels: number[] = [];
  batch.charPositions.forEach((at, i) => {
    const target = batch.charTargets[i]!;
    if (target !== vocab.unk && (batch.wrong[i] === 1 || rng.next() < keepRate)) {
      correctPositions.push(at);
      correctLabels.push(target);
    }
  });
  const { charTargets: _, ...padded } = batch;
  return {
    ...padded,
    correctPositions: Int32Array.from(correctPositions),
    correctLabels: Int32Array.from(correctLabels),
  };
}

/**
 * Builds one batch. `keepRate` is the share of right characters whose correction (= copy) is trained.
 * @example buildCscBatch(encoded.slice(0, 32), vocab, 0.15, new SeededRandom(1)).inputIds.length
 * // → 32 · (longest + 2)
 */
export function buildCscBatch(
  rows: readonly EncodedPair[],
  vocab: CharVocab,
  keepRate: number,
  rng: SeededRandom,
): CscBatch {
  return sampleCorrections(padBatch(rows, vocab), vocab, keepRate, rng);
}

/**
 * Batches of row indices of similar length, covering every row once: shuffled, then sorted by length within windows
 * of 50 batches, then the batches shuffled.
 * @example lengthBuckets(lengths, 32, new SeededRandom(7)) // → [[812, 4, …], …]
 */
export function lengthBuckets(lengths: readonly number[], batchSize: number, rng: SeededRandom): number[][] {
  const order = rng.shuffle(Array.from(lengths.keys()));
  const window = batchSize * 50;
  const batches: number[][] = [];
  for (let at = 0; at < order.length; at += window) {
    const part = order.slice(at, at + window).sort((a, b) => lengths[a]! - lengths[b]!);
    for (let k = 0; k < part.length; k += batchSize) batches.push(part.slice(k, k + batchSize));
  }
  return rng.shuffle(Array.from(batches.keys())).map((i) => batches[i]!);
}
