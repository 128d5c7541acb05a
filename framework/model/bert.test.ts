import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { tf, type Tensor } from '../backend/tf.js';
import { readSafetensors } from '../checkpoint/safetensors.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { TEST_BACKENDS, useBackend } from '../testing/backends.js';
import { BertModel } from './bert.js';
import { readBertConfig } from './config.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const config = readBertConfig(`${FIXTURES}tiny-bert`);
const weights = new Map(
  [...readSafetensors(`${FIXTURES}tiny-bert/model.safetensors`)].map(([k, v]) => [k.replace(/^bert\./, ''), v]),
);
const ref = readSafetensors(`${FIXTURES}tiny-bert-reference.safetensors`);

function refTensor(name: string): HostTensor {
  const t = ref.get(name);
  assert.ok(t, `reference fixture lacks ${name}`);
  return t;
}
function intTensor(name: string): Tensor {
  const t = refTensor(name);
  const data =
    t.dtype === 'int64' ? Int32Array.from(t.data, (x) => Number(x)) : Int32Array.from(t.data as ArrayLike<number>);
  return tf.tensor(data, t.shape, 'int32');
}
function floats(name: string): Float32Array {
  const t = refTensor(name);
  assert.equal(t.dtype, 'float32');
  return t.data as Float32Array;
}
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

for (const backend of TEST_BACKENDS) {
  test(`BERT parity with the PyTorch reference on ${backend}: logits, pooled, loss, gradients`, async () => {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const model = BertModel.fromStateDict(config, weights);
    const inputs = {
      inputIds: intTensor('input_ids'),
      tokenTypeIds: intTensor('token_type_ids'),
      attentionMask: intTensor('attention_mask'),
    };
    const labels = intTensor('labels');
    const [batch, seq] = inputs.inputIds.shape as [number, number];

    const { logits, pooled } = tf.tidy(() => {
      const hidden = model.encode(inputs, { training: false });
      const all = model.mlmLogits(tf.reshape(hidden, [batch * seq, -1]));
      return { logits: all.dataSync(), pooled: model.pool(hidden).dataSync() };
    });
    // Padded query rows see the same keys as PyTorch's; compare every position.
    assert.ok(maxAbsDiff(logits, floats('logits')) < 1e-4, `logits differ by ${maxAbsDiff(logits, floats('logits'))}`);
    assert.ok(maxAbsDiff(pooled, floats('pooled')) < 1e-4);

    const vars = [...model.params.variables.values()];
    const { value, grads } = tf.variableGrads(() => {
      const hidden = model.encode(inputs, { training: false });
      const all = model.mlmLogits(tf.reshape(hidden, [batch * seq, -1]));
      return softmaxCrossEntropy(all, tf.reshape(labels, [-1])) as tf.Scalar;
    }, vars);
    assert.ok(
      Math.abs(value.dataSync()[0]! - floats('loss')[0]!) < 1e-4,
      `loss ${value.dataSync()[0]} vs ${floats('loss')[0]}`,
    );
    for (const [name, spec] of model.params.specs) {
      const g = grads[model.params.get(name).name];
      if (!g) {
        assert.equal(maxAbs(floats(`grad.${name}`)), 0, `no gradient for ${name}, but the reference has one`);
        continue;
      }
      const hf = tf.tidy(() => (spec.linear ? tf.transpose(g) : g).dataSync());
      const want = floats(`grad.${name}`);
      // Key biases have zero true gradient (softmax is shift-invariant): compare those against a small floor.
      const scale = Math.max(maxAbs(want), 1e-4);
      assert.ok(
        maxAbsDiff(hf, want) / scale < 1e-3,
        `gradient of ${name} differs: ${maxAbsDiff(hf, want)} (scale ${scale})`,
      );
    }
    tf.dispose([value, ...Object.values(grads), inputs.inputIds, inputs.tokenTypeIds, inputs.attentionMask, labels]);
    model.dispose();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });
}

test('activation recomputation gives the same loss and gradients (dropout on, same seeds)', async () => {
  await useBackend('wasm');
  const before = tf.memory().numTensors;
  const model = BertModel.fromStateDict(config, weights);
  const inputs = {
    inputIds: intTensor('input_ids'),
    tokenTypeIds: intTensor('token_type_ids'),
    attentionMask: intTensor('attention_mask'),
  };
  const labels = intTensor('labels');
  const run = (recompute: boolean) => {
    model.recompute = recompute;
    const { value, grads } = tf.variableGrads(() => {
      const hidden = model.encode(inputs, { training: true, seed: 7 });
      return softmaxCrossEntropy(
        model.mlmLogits(tf.reshape(hidden, [-1, config.hiddenSize])),
        tf.reshape(labels, [-1]),
      ) as tf.Scalar;
    });
    const out = {
      loss: value.dataSync()[0]!,
      grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array])),
    };
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  };
  const plain = run(false);
  const recomputed = run(true);
  assert.ok(Math.abs(plain.loss - recomputed.loss) < 1e-6);
  assert.deepEqual(Object.keys(recomputed.grads).sort(), Object.keys(plain.grads).sort());
  for (const [k, g] of Object.entries(plain.grads))
    assert.ok(maxAbsDiff(g, recomputed.grads[k]!) < 1e-5, `gradient ${k} differs`);
  tf.dispose([inputs.inputIds, inputs.tokenTypeIds, inputs.attentionMask, labels]);
  model.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
});
