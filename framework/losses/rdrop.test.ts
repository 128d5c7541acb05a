import assert from 'node:assert/strict';
import { test } from 'vitest';
import { tf } from '../backend/tf.js';
import { useBackend } from '../testing/backends.js';
import { RDropLoss } from './rdrop.js';

test('R-Drop KL: zero for identical passes, positive otherwise, equal to the hand formula', async () => {
  await useBackend('cpu');
  const before = tf.memory().numTensors;
  const p = tf.tensor2d([
    [1, 2, 3],
    [0.5, -1, 0],
  ]);
  const q = tf.tensor2d([
    [1.5, 1, 3],
    [0, 0, 0],
  ]);
  const loss = new RDropLoss();
  const same = loss.call(p, p);
  assert.ok(Math.abs(same.dataSync()[0]!) < 1e-7);
  const diffT = loss.call(p, q);
  const diff = diffT.dataSync()[0]!;
  assert.ok(diff > 0);
  const softmax = (xs: number[]) => {
    const m = Math.max(...xs);
    const e = xs.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b);
    return e.map((x) => x / s);
  };
  const kl = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + ai * Math.log(ai / b[i]!), 0);
  const rows = [
    [
      [1, 2, 3],
      [1.5, 1, 3],
    ],
    [
      [0.5, -1, 0],
      [0, 0, 0],
    ],
  ].map(([a, b]) => (kl(softmax(a!), softmax(b!)) + kl(softmax(b!), softmax(a!))) / 2);
  assert.ok(Math.abs(diff - (rows[0]! + rows[1]!)) < 1e-5, `${diff} vs ${rows[0]! + rows[1]!}`);
  const meanT = new RDropLoss('mean').call(p, q);
  const mean = meanT.dataSync()[0]!;
  assert.ok(Math.abs(mean - diff / 2) < 1e-6);
  assert.deepEqual(RDropLoss.fromConfig(loss.getConfig()).getConfig(), loss.getConfig());
  tf.dispose([p, q, same, diffT, meanT]);
  assert.equal(tf.memory().numTensors, before);
});
