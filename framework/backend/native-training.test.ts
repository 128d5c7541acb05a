import assert from 'node:assert/strict';
import { test } from 'vitest';
import { DEFAULT_MODEL_DIR } from '../model/default.js';
import { loadPretrained } from '../model/pretrained.js';
import { BertModel } from '../model/bert.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { AdamW } from '../optim/adamw.js';
import { useBackend } from '../testing/backends.js';
import { tf } from './tf.js';

/** A fixed MLM batch: 4 × 32 ids from the shipped vocabulary, every fifth position masked. */
function batch(step: number): { inputIds: tf.Tensor; positions: tf.Tensor; labels: tf.Tensor } {
  let s = 1000 + step;
  const ids = Int32Array.from({ length: 4 * 32 }, () => 670 + ((s = (s * 16807) % 2147483647) % 6000));
  const positions = Int32Array.from({ length: 4 * 32 }, (_, i) => i).filter((i) => i % 5 === 2);
  const labels = Int32Array.from(positions, (p) => ids[p]!);
  for (const p of positions) ids[p] = 103; // [MASK]
  return {
    inputIds: tf.tensor2d(ids, [4, 32], 'int32'),
    positions: tf.tensor1d(positions, 'int32'),
    labels: tf.tensor1d(labels, 'int32'),
  };
}

/** 20 MLM steps (dropout on, AdamW) of the shipped model on one backend: the losses and the live tensor counts. */
async function twentySteps(backend: 'wasm' | 'native'): Promise<{ losses: number[]; tensors: number[] }> {
  await useBackend(backend);
  const { model } = await loadPretrained(DEFAULT_MODEL_DIR);
  model.train();
  const opt = new AdamW(model.params.decayGroups(1e-4, 0.01), { maxGradNorm: 1 });
  const losses: number[] = [];
  const tensors: number[] = [];
  for (let step = 0; step < 20; step++) {
    const b = batch(step);
    const { value, grads } = tf.variableGrads(() => {
      const hidden = model.encode({ inputIds: b.inputIds }, { training: true, seed: 100 + step });
      return softmaxCrossEntropy(
        model.mlmLogits(BertModel.gatherPositions(hidden, b.positions)),
        b.labels,
      ) as tf.Scalar;
    });
    opt.step(grads, 1);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads), ...Object.values(b)]);
    tensors.push(tf.memory().numTensors);
  }
  opt.dispose();
  model.dispose();
  return { losses, tensors };
}

test(`20 training steps of the shipped model: the native backend gives the wasm path's losses, and no tensor \
leaks`, async () => {
  const wasm = await twentySteps('wasm');
  const native = await twentySteps('native');
  for (let i = 0; i < 20; i++) {
    assert.ok(
      Math.abs(native.losses[i]! - wasm.losses[i]!) < 1e-4,
      `step ${i}: loss ${native.losses[i]} on native, ${wasm.losses[i]} on wasm`,
    );
  }
  assert.ok(wasm.losses[19]! < wasm.losses[0]!, 'the model learns the batch stream at all');
  // Flat from the second step (the first creates the optimiser's state).
  assert.ok(
    native.tensors.slice(1).every((n) => n === native.tensors[1]),
    `live tensors over the steps: ${native.tensors.join(', ')}`,
  );
});
