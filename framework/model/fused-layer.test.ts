import assert from 'node:assert/strict';
import { test } from 'vitest';
import { tf } from '../backend/tf.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { useBackend } from '../testing/backends.js';
import { BertModel } from './bert.js';
import { BERT_DEFAULTS, type BertConfig, type HiddenAct } from './config.js';

const small = (act: HiddenAct): BertConfig => ({
  ...BERT_DEFAULTS,
  vocabSize: 120,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  intermediateSize: 48,
  maxPositionEmbeddings: 32,
  hiddenAct: act,
});

function batch(): { inputIds: tf.Tensor; attentionMask: tf.Tensor; labels: tf.Tensor } {
  const ids = [
    [2, 17, 33, 90, 5, 6, 0, 0],
    [2, 44, 12, 8, 77, 3, 101, 9],
    [2, 9, 9, 0, 0, 0, 0, 0],
  ];
  return {
    inputIds: tf.tensor2d(ids, [3, 8], 'int32'),
    attentionMask: tf.tensor2d(
      ids.map((r) => r.map((x, i) => (x !== 0 || i === 0 ? 1 : 0))),
      [3, 8],
      'int32',
    ),
    labels: tf.tensor1d(
      ids.flat().map((x, i) => (i % 3 === 0 ? x : -1)),
      'int32',
    ),
  };
}

function lossAndGrads(
  model: BertModel,
  b: ReturnType<typeof batch>,
  training: boolean,
): { loss: number; grads: Map<string, Float32Array> } {
  const { value, grads } = tf.variableGrads(() => {
    const hidden = model.encode({ inputIds: b.inputIds, attentionMask: b.attentionMask }, { training, seed: 11 });
    return softmaxCrossEntropy(
      model.mlmLogits(tf.reshape(hidden, [-1, model.config.hiddenSize])),
      b.labels,
    ) as tf.Scalar;
  });
  const out = {
    loss: value.dataSync()[0]!,
    grads: new Map(Object.entries(grads).map(([k, g]) => [k, Float32Array.from(g.dataSync())])),
  };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

for (const act of ['gelu', 'gelu_new', 'relu'] as const) {
  for (const training of [true, false]) {
    test(`fused encoder layer (${act}, dropout ${training ? 'on' : 'off'}) matches the tfjs layer: loss and every \
gradient`, async () => {
      await useBackend('native');
      const before = tf.memory().numTensors;
      const model = BertModel.create(small(act), { pooler: false, mlmHead: true }, 3);
      const b = batch();
      model.fused = false;
      const reference = lossAndGrads(model, b, training);
      model.fused = true;
      const fused = lossAndGrads(model, b, training);
      assert.ok(Math.abs(fused.loss - reference.loss) < 1e-5, `loss ${fused.loss} vs ${reference.loss}`);
      assert.deepEqual([...fused.grads.keys()].sort(), [...reference.grads.keys()].sort());
      for (const [name, g] of reference.grads) {
        const rel = maxRelDiff(fused.grads.get(name)!, g);
        assert.ok(rel < 1e-4, `gradient ${name}: relative difference ${rel}`);
      }
      tf.dispose(Object.values(b));
      model.dispose();
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    });
  }
}

test("fused layer inference (no gradient tape) gives the tfjs layer's hidden states", async () => {
  await useBackend('native');
  const model = BertModel.create(small('gelu'), { pooler: false, mlmHead: false }, 5);
  const b = batch();
  const encode = () =>
    tf.tidy(() => Float32Array.from(model.encode({ inputIds: b.inputIds, attentionMask: b.attentionMask }).dataSync()));
  model.fused = false;
  const reference = encode();
  model.fused = true;
  assert.ok(maxRelDiff(encode(), reference) < 1e-5);
  tf.dispose(Object.values(b));
  model.dispose();
});
