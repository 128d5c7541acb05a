import { tf, type Tensor } from '../../framework/backend/tf.js';
import { BertModel } from '../../framework/model/bert.js';
import { BERT_DEFAULTS, type BertConfig } from '../../framework/model/config.js';
import { softmaxCrossEntropy } from '../../framework/ops/cross-entropy.js';
import type { AdamW } from '../../framework/optim/adamw.js';

/** Bench configs from the engine issue: vocab 21,128, batch 8 × 128 training, 32 × 128 inference. */
export const BENCH_CONFIGS: Record<'tiny' | 'base', BertConfig> = {
  tiny: { ...BERT_DEFAULTS, numHiddenLayers: 4, hiddenSize: 256, numAttentionHeads: 4, intermediateSize: 1024 },
  base: { ...BERT_DEFAULTS },
};

/** A deterministic MLM batch: random ids, 15% of positions masked (labels elsewhere -1). */
export function mlmBatch(
  batch: number,
  seq: number,
  vocab: number,
  seed = 1,
): { inputIds: Tensor; labels: Tensor; positions: Tensor } {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const ids = new Int32Array(batch * seq);
  const positions: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    ids[i] = 100 + Math.floor(rand() * (vocab - 100));
    if (rand() < 0.15) {
      positions.push(i);
      labels.push(ids[i]!);
      ids[i] = 103;
    }
  }
  return {
    inputIds: tf.tensor2d(ids, [batch, seq], 'int32'),
    labels: tf.tensor1d(labels, 'int32'),
    positions: tf.tensor1d(positions, 'int32'),
  };
}

/** One MLM training step (forward at the masked positions only, backward, AdamW). Returns the loss. */
export function mlmTrainStep(
  model: BertModel,
  opt: AdamW,
  batch: { inputIds: Tensor; labels: Tensor; positions: Tensor },
): number {
  const { value, grads } = tf.variableGrads(() => {
    const hidden = model.encode({ inputIds: batch.inputIds }, { training: true });
    const logits = model.mlmLogits(BertModel.gatherPositions(hidden, batch.positions));
    return softmaxCrossEntropy(logits, batch.labels) as tf.Scalar;
  });
  opt.step(grads, 1);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}
