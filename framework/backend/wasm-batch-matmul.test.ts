import assert from 'node:assert/strict';
import { test } from 'vitest';
import { tf } from './tf.js';
import { useBackend } from '../testing/backends.js';

/** Shapes exercising every path of the wasm BatchMatMul replacement: plain, each transpose, batch, broadcast, swap. */
const CASES: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
  { a: [5, 7], b: [7, 3], ta: false, tb: false },
  { a: [7, 5], b: [7, 3], ta: true, tb: false },
  { a: [5, 7], b: [3, 7], ta: false, tb: true },
  { a: [7, 5], b: [3, 7], ta: true, tb: true },
  { a: [2, 3, 5, 7], b: [2, 3, 7, 4], ta: false, tb: false },
  { a: [2, 3, 5, 7], b: [2, 3, 4, 7], ta: false, tb: true },
  { a: [6, 7, 5], b: [6, 7, 4], ta: true, tb: false },
  { a: [6, 5, 7], b: [1, 7, 4], ta: false, tb: false },
  { a: [1, 5, 7], b: [6, 7, 4], ta: false, tb: false },
  { a: [3, 16], b: [200, 16], ta: false, tb: true }, // small a · large bᵀ: the swapped path
];

function values(a: number[], seed: number): Float32Array {
  const n = a.reduce((x, y) => x * y, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
}

test('wasm BatchMatMul replacement matches the cpu backend on every path, forward and gradient', async () => {
  for (const c of CASES) {
    const results: Float32Array[][] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const a = tf.tensor(values(c.a, 1), c.a);
      const b = tf.tensor(values(c.b, 2), c.b);
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, c.ta, c.tb), tf.range(1, 2, 1)));
      const out = tf.matMul(a, b, c.ta, c.tb);
      // tfjs's own BatchMatMul gradient does not reduce broadcast batch dims, so those cases check the forward only.
      const broadcast = c.a.slice(0, -2).join() !== c.b.slice(0, -2).join();
      const grads = broadcast ? [] : tf.grads(f)([a, b]);
      results.push([out.dataSync() as Float32Array, ...grads.map((g) => g.dataSync() as Float32Array)]);
      tf.dispose([a, b, out, ...grads]);
      assert.equal(tf.memory().numTensors, before, `${backend} leaked tensors on case ${JSON.stringify(c)}`);
    }
    const [cpu, wasm] = results as [Float32Array[], Float32Array[]];
    cpu.forEach((want, i) => {
      const got = wasm[i]!;
      assert.equal(got.length, want.length);
      for (let j = 0; j < want.length; j++)
        assert.ok(
          Math.abs(got[j]! - want[j]!) < 1e-4,
          `case ${JSON.stringify(c)} output ${i}[${j}]: ${got[j]} vs ${want[j]}`,
        );
    });
  }
});
