import { ConfigError } from '../errors.js';
import { tf } from '../backend/tf.js';
import type { BertModel } from '../model/bert.js';

/** What fill-mask needs of a tokenizer (satisfied by `BertTokenizer`). */
export interface MaskTokenizer {
  encode(text: string): { inputIds: number[]; tokenTypeIds: number[]; attentionMask: number[] };
  idToToken(id: number): string;
  readonly maskId: number;
}

/** One candidate for a masked position, as Hugging Face's fill-mask pipeline reports it. */
export interface FillMaskCandidate {
  token: string;
  token_id: number;
  score: number;
}

/**
 * Hugging Face's fill-mask: softmax over the vocabulary at each `[MASK]` of `text`, top-k candidates best
 * first. Returns one list per mask, in text order.
 * @example
 * fillMask(model, tokenizer, '中华人民共和[MASK]', 3);
 * // → [[{ token: '国', token_id: 1744, score: 0.93 }, …]]
 */
export function fillMask(model: BertModel, tokenizer: MaskTokenizer, text: string, topK = 5): FillMaskCandidate[][] {
  if (!Number.isInteger(topK) || topK < 1) throw new ConfigError(`top-k must be a positive integer, got ${topK}`);
  const enc = tokenizer.encode(text);
  const positions = enc.inputIds.flatMap((id, i) => (id === tokenizer.maskId ? [i] : []));
  if (positions.length === 0) throw new ConfigError(`no [MASK] token in the text: ${JSON.stringify(text)}`);
  const k = Math.min(topK, model.config.vocabSize);
  const { values, indices } = tf.tidy(() => {
    const seq = enc.inputIds.length;
    const hidden = model.encode(
      {
        inputIds: tf.tensor2d(enc.inputIds, [1, seq], 'int32'),
        tokenTypeIds: tf.tensor2d(enc.tokenTypeIds, [1, seq], 'int32'),
        attentionMask: tf.tensor2d(enc.attentionMask, [1, seq], 'int32'),
      },
      { training: false },
    );
    const logits = model.mlmLogits(tf.gather(tf.reshape(hidden, [seq, -1]), tf.tensor1d(positions, 'int32')));
    const top = tf.topk(tf.softmax(logits), k);
    return { values: top.values.arraySync() as number[][], indices: top.indices.arraySync() as number[][] };
  });
  return values.map((row, m) =>
    row.map((score, j) => {
      const id = indices[m]![j]!;
      return { token: tokenizer.idToToken(id), token_id: id, score };
    }),
  );
}
