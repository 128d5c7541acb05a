/**
 * Vocabulary trimming for a small shipped model: the 21,128-row embedding of the Chinese BERT
 * vocabulary is most of the encoder's size, and most rows are rare. Keep the special tokens and the
 * most frequent tokens of the given texts (training words first, then general corpora); every other
 * token becomes `[UNK]`. Training uses the trimmed vocabulary too, so training and the shipped model see
 * the same ids.
 */
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { ConfigError } from '../../../framework/errors.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';

/** The kept tokens and, for each, its row in the original vocabulary. */
export interface TrimmedVocab {
  readonly tokens: readonly string[];
  readonly sourceIds: readonly number[];
  /** Share of token occurrences in the counted texts that the kept vocabulary covers. */
  readonly coverage: number;
}

/**
 * Keeps the special tokens, every token of `required` (the training sentences), then the most frequent
 * tokens of `corpus` up to `size` — in the original id order. Coverage is measured on `corpus`.
 * @example
 * const v = trimVocab(tokenizer, { required: ['三亚是一个美丽的城市'], corpus: [] }, 12);
 * v.tokens.slice(0, 5); // ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] (in the original order)
 */
export function trimVocab(
  tokenizer: BertTokenizer,
  texts: { required: Iterable<string>; corpus: Iterable<string> },
  size: number,
): TrimmedVocab {
  const specials = [tokenizer.padId, tokenizer.unkId, tokenizer.clsId, tokenizer.sepId, tokenizer.maskId];
  if (size < specials.length)
    throw new ConfigError(`vocabulary size ${size} is below the ${specials.length} special tokens`);
  const count = (source: Iterable<string>): Float64Array => {
    const counts = new Float64Array(tokenizer.vocabSize);
    for (const text of source) for (const id of tokenizer.encode(text).inputIds.slice(1, -1)) counts[id]! += 1;
    return counts;
  };
  const required = count(texts.required);
  const corpus = count(texts.corpus);
  const byCount = (c: Float64Array) =>
    Array.from(c.keys())
      .filter((id) => c[id]! > 0 && !specials.includes(id))
      .sort((a, b) => c[b]! - c[a]! || a - b);
  const chosen = new Set(specials);
  for (const id of [...byCount(required), ...byCount(corpus)]) {
    if (chosen.size >= size) break;
    chosen.add(id);
  }
  const kept = [...chosen].sort((a, b) => a - b);
  const total = corpus.reduce((a, b) => a + b, 0);
  const covered = kept.reduce((sum, id) => sum + corpus[id]!, 0) - corpus[tokenizer.unkId]!;
  return {
    tokens: kept.map((id) => tokenizer.idToToken(id)),
    sourceIds: kept,
    coverage: total === 0 ? 1 : covered / total,
  };
}

/** A tokenizer over the kept tokens, normalising as the original does. */
export function trimmedTokenizer(tokenizer: BertTokenizer, vocab: TrimmedVocab): BertTokenizer {
  return BertTokenizer.fromVocab(vocab.tokens, tokenizer.spec.normalizer, tokenizer.spec.specials);
}

/** The embedding rows of the kept tokens. */
export function trimEmbeddings(weight: HostTensor, vocab: TrimmedVocab): HostTensor {
  if (weight.dtype !== 'float32') throw new ConfigError(`word embeddings are ${weight.dtype}; expected float32`);
  const hidden = weight.shape[1]!;
  const out = new Float32Array(vocab.sourceIds.length * hidden);
  vocab.sourceIds.forEach((id, row) => out.set(weight.data.subarray(id * hidden, (id + 1) * hidden), row * hidden));
  return { dtype: 'float32', shape: [vocab.sourceIds.length, hidden], data: out };
}
