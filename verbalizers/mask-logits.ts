/**
 * MLM logits at the mask positions for a few vocabulary rows only: the head transform runs on the
 * mask hidden states, then a product with just the `tokenIds` rows of the tied word embeddings
 * (plus those bias entries) — a [n, H]·[H, K] product instead of [n, H]·[H, V].
 */
import { tf, type Tensor } from '../framework/backend/tf.js';
import { ShapeError } from '../framework/errors.js';
import { BertModel } from '../framework/model/bert.js';
import { activation } from '../framework/ops/activations.js';
import { layerNorm } from '../framework/ops/layer-norm.js';
import { dense } from '../framework/ops/matmul.js';

/**
 * What the restricted scores are: raw logits (`none`, cheap) or log-probabilities over the whole
 * vocabulary (`vocab`, needs the full decoder for the normaliser).
 *
 * @example
 * const n: MaskLogitsNormalization = 'vocab';
 */
export type MaskLogitsNormalization = 'none' | 'vocab';

/**
 * Hidden states at the mask positions: [B, T, H] and positions [B, M] (int32) → [B, M, H].
 *
 * @example
 * gatherMaskHidden(hidden, tf.tensor2d([[3], [5]], [2, 1], 'int32')).shape; // => [2, 1, H]
 */
export function gatherMaskHidden(hidden: Tensor, maskPositions: Tensor): Tensor {
  if (hidden.rank !== 3 || maskPositions.rank !== 2 || maskPositions.shape[0] !== hidden.shape[0]) {
    throw new ShapeError(
      'expected hidden [B, T, H] and maskPositions [B, M] with the same B, ' +
        `got [${hidden.shape.join(', ')}] and [${maskPositions.shape.join(', ')}]`,
    );
  }
  const [batch, seq, size] = hidden.shape as [number, number, number];
  const masks = maskPositions.shape[1]!;
  return tf.tidy(() => {
    const rows = tf.mul(tf.range(0, batch, 1, 'int32').reshape([batch, 1]), tf.scalar(seq, 'int32'));
    const flat = tf.reshape(tf.add(tf.cast(maskPositions, 'int32'), rows), [-1]);
    return tf.reshape(BertModel.gatherPositions(hidden, flat), [batch, masks, size]);
  });
}

/**
 * Logits of `tokenIds` at each mask: [B, M, K], equal to gathering those columns of
 * `model.mlmLogits` at the mask positions. With `normalize: 'vocab'` the full logits are computed
 * and the result is their log-softmax over the vocabulary, restricted to `tokenIds`.
 *
 * @example
 * const logits = restrictedMaskLogits(model, hidden, maskPositions, verbalizer.tokenIds); // [B, numMasks, K]
 */
export function restrictedMaskLogits(
  model: BertModel,
  hidden: Tensor,
  maskPositions: Tensor,
  tokenIds: readonly number[],
  options: { readonly normalize?: MaskLogitsNormalization } = {},
): Tensor {
  const vocab = model.config.vocabSize;
  const bad = tokenIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
  if (bad !== undefined) throw new ShapeError(`token id ${bad} is outside the vocabulary 0..${vocab - 1}`);
  if (tokenIds.length === 0) throw new ShapeError('restrictedMaskLogits needs at least one token id');
  return tf.tidy(() => {
    const maskHidden = gatherMaskHidden(hidden, maskPositions);
    const [batch, masks, size] = maskHidden.shape as [number, number, number];
    const h = tf.reshape(maskHidden, [batch * masks, size]);
    const ids = tf.tensor1d(Array.from(tokenIds), 'int32');
    let out: Tensor;
    if (options.normalize === 'vocab') {
      out = tf.gather(tf.logSoftmax(model.mlmLogits(h)), ids, 1);
    } else {
      const p = (name: string): Tensor => model.params.get(name);
      const act = activation(model.config.hiddenAct);
      const t = layerNorm(
        act(dense(h, p('cls.predictions.transform.dense.weight'), p('cls.predictions.transform.dense.bias'))),
        p('cls.predictions.transform.LayerNorm.weight'),
        p('cls.predictions.transform.LayerNorm.bias'),
        model.config.layerNormEps,
      );
      const rows = tf.gather(p('embeddings.word_embeddings.weight'), ids); // [K, H]
      out = tf.add(tf.matMul(t, rows, false, true), tf.gather(p('cls.predictions.bias'), ids));
    }
    return tf.reshape(out, [batch, masks, tokenIds.length]);
  });
}
