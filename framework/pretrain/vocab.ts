/**
 * Vocabularies for pretraining: read/write `vocab.txt`, count token use over a corpus, and build a
 * corpus vocabulary either as a pruned subset of a base vocabulary (keeps a starting model's
 * embeddings row for row) or from scratch as characters above a count.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../checkpoint/atomic.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { ConfigError, TokenizerError } from '../errors.js';
import { SeededRandom } from '../random.js';

/** The special tokens every vocabulary built here starts with, in this order. */
export const SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/**
 * Tokens of a `vocab.txt` (one per line, id = line number).
 * @example readVocab('../shared/vocab/bert-base-chinese/vocab.txt').length // → 21128
 */
export function readVocab(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new TokenizerError(`vocabulary file ${path} not found`);
  }
  const tokens = text.split(/\r?\n/);
  if (tokens[tokens.length - 1] === '') tokens.pop();
  if (tokens.length === 0) throw new TokenizerError(`vocabulary file ${path} is empty`);
  return tokens;
}

/**
 * Writes `vocab.txt` atomically.
 * @example writeVocab('/tmp/out/vocab.txt', ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '的']);
 */
export function writeVocab(path: string, tokens: readonly string[]): void {
  writeFileAtomic(path, [new TextEncoder().encode(tokens.join('\n') + '\n')]);
}

/** How a corpus vocabulary is built. */
export interface PruneOptions {
  /** Keep base tokens used at least this often. Default 1 (every token the corpus uses). */
  minCount?: number;
  /** Keep these base tokens whatever their count (e.g. every single CJK character, or label words). */
  keep?: (token: string) => boolean;
}

/**
 * A subset of `base`: the special tokens, then every base token used ≥ minCount times (or kept), in
 * base order. With bert-base-chinese this drops the ~7,000 `##字` entries BERT's tokenizer never emits
 * for Chinese (CJK characters are always split) and rare English pieces: the MLM head shrinks with it.
 * @example
 * pruneVocab(
 *   ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '的', '##的', '了'],
 *   Uint32Array.of(0, 0, 0, 0, 0, 9, 0, 1),
 *   { minCount: 2 },
 * )
 * // → ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '的']
 */
export function pruneVocab(base: readonly string[], counts: Uint32Array, options: PruneOptions = {}): string[] {
  if (counts.length !== base.length)
    throw new ConfigError(`token counts cover ${counts.length} ids but the vocabulary has ${base.length}`);
  const minCount = options.minCount ?? 1;
  const out = [...SPECIAL_TOKENS];
  const special = new Set(SPECIAL_TOKENS);
  base.forEach((t, i) => {
    if (!special.has(t) && (counts[i]! >= minCount || options.keep?.(t))) out.push(t);
  });
  return out;
}

/**
 * A from-scratch character vocabulary: special tokens, then characters seen ≥ minCount times, most frequent first.
 * @example charVocab(new Map([['的', 9], ['了', 3], ['鬱', 1]]), 2)
 * // → ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '的', '了']
 */
export function charVocab(charCounts: ReadonlyMap<string, number>, minCount: number): string[] {
  const chars = [...charCounts]
    .filter(([c, n]) => n >= minCount && !SPECIAL_TOKENS.includes(c) && !/\s/.test(c))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([c]) => c);
  return [...SPECIAL_TOKENS, ...chars];
}

/**
 * For each token of `target`, its id in `source` (-1 if absent).
 * @example vocabMapping(['a', 'b', 'c'], ['c', 'x', 'a']) // → Int32Array [2, -1, 0]
 */
export function vocabMapping(source: readonly string[], target: readonly string[]): Int32Array {
  const ids = new Map<string, number>();
  source.forEach((t, i) => {
    if (!ids.has(t)) ids.set(t, i);
  });
  return Int32Array.from(target, (t) => ids.get(t) ?? -1);
}

/** Canonical keys of the vocabulary-sized tensors of a BERT masked LM (rows = token ids). */
export const VOCAB_ROW_KEYS: readonly string[] = ['embeddings.word_embeddings.weight', 'cls.predictions.bias'];

/**
 * A state dict resized to a new vocabulary: rows of the word embeddings and MLM bias are gathered by
 * `mapping` (new id → old id); new tokens get normal(0, initRange) embeddings and zero bias.
 * @example
 * const state = remapVocabState(loadStateDict(starterDir), vocabMapping(bertVocab, corpusVocab), 0.02, 1);
 * state.get('embeddings.word_embeddings.weight')!.shape; // → [corpusVocab.length, 256]
 */
export function remapVocabState(
  state: ReadonlyMap<string, HostTensor>,
  mapping: Int32Array,
  initRange: number,
  seed: number,
): Map<string, HostTensor> {
  const out = new Map(state);
  const rng = new SeededRandom(seed);
  for (const key of VOCAB_ROW_KEYS) {
    const t = state.get(key);
    if (!t) continue;
    if (t.dtype !== 'float32') throw new ConfigError(`${key}: expected float32, got ${t.dtype}`);
    const width = t.shape.length === 2 ? t.shape[1]! : 1;
    const data = new Float32Array(mapping.length * width);
    for (let i = 0; i < mapping.length; i++) {
      const from = mapping[i]!;
      if (from >= 0) data.set(t.data.subarray(from * width, (from + 1) * width), i * width);
      else if (t.shape.length === 2) for (let j = 0; j < width; j++) data[i * width + j] = rng.gaussian() * initRange;
    }
    out.set(key, { dtype: 'float32', shape: t.shape.length === 2 ? [mapping.length, width] : [mapping.length], data });
  }
  return out;
}
