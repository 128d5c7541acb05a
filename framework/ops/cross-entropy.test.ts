import assert from 'node:assert/strict';
import { test } from 'vitest';
import { tf } from '../backend/tf.js';
import { useBackend } from '../testing/backends.js';
import { softmaxCrossEntropy } from './cross-entropy.js';

/** Loss and d(3·loss)/dlogits (a scale ≠ 1 reaches the backward) on one backend. */
async function lossAndGrad(backend: 'cpu' | 'native'): Promise<{ loss: number; grad: Float32Array }> {
  await useBackend(backend);
  let s = 7;
  const logits = tf.tensor2d(
    Float32Array.from({ length: 5 * 300 }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 20 - 10),
    [5, 300],
  );
  const labels = tf.tensor1d([3, -1, 299, 0, 150], 'int32'); // row 1 is ignored (Hugging Face's -100 convention)
  const x = tf.variable(logits, true, `ce-${backend}`);
  const { value, grads } = tf.variableGrads(() => tf.mul(softmaxCrossEntropy(x, labels), 3) as tf.Scalar, [x]);
  const out = { loss: value.dataSync()[0]! / 3, grad: Float32Array.from(Object.values(grads)[0]!.dataSync()) };
  tf.dispose([value, ...Object.values(grads), logits, labels, x]);
  return out;
}

test(`softmax cross-entropy on the native backend (one ORT call) equals the tfjs form: value, gradient, ignored \
rows`, async () => {
  const want = await lossAndGrad('cpu');
  const got = await lossAndGrad('native');
  assert.ok(Math.abs(got.loss - want.loss) < 1e-5, `loss ${got.loss} vs ${want.loss}`);
  for (let i = 0; i < want.grad.length; i++)
    assert.ok(
      Math.abs(got.grad[i]! - want.grad[i]!) < 1e-6,
      `gradient element ${i}: ${got.grad[i]} vs ${want.grad[i]}`,
    );
  assert.ok(
    got.grad.slice(300, 600).every((x) => x === 0),
    'an ignored row has no gradient',
  );
});
