import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, MS_DOMAIN } from './graph.js';
import { OnnxType } from './proto.js';
import { dequantize, quantizeColumns } from './quantize.js';

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

test('quantizeColumns: a known matrix quantises to the expected int8 values and per-column scales', () => {
  const q = quantizeColumns(Float32Array.of(1, -3, 0.25, 4, 0, 0), 3, 2, 63);
  assert.deepEqual(Array.from(q.scales), [Math.fround(1 / 63), Math.fround(4 / 63)]);
  assert.deepEqual(Array.from(q.values), [63, -47, 16, 63, 0, 0]);
  const zero = quantizeColumns(new Float32Array(4), 2, 2);
  assert.deepEqual(Array.from(zero.scales), [1, 1]); // an all-zero column stays exactly zero
  assert.throws(() => quantizeColumns(new Float32Array(3), 2, 2), /needs 4 values, got 3/);
  assert.throws(() => quantizeColumns(new Float32Array(4), 2, 2, 200), /qmax must be an integer in 1\.\.127/);
});

test(`quantizeColumns: round-trip error is at most half a step in every column, and columns of very different size \
keep their precision`, () => {
  const rand = lcg(7);
  const rows = 64;
  const cols = 16;
  // column 0 is 10^4 × larger
  const w = Float32Array.from({ length: rows * cols }, (_, k) => rand() * (k % cols === 0 ? 100 : 0.01));
  const q = quantizeColumns(w, rows, cols);
  const back = dequantize(q);
  for (let k = 0; k < w.length; k++) {
    const j = k % cols;
    assert.ok(
      Math.abs(back[k]! - w[k]!) <= q.scales[j]! / 2 + 1e-9,
      `entry ${k}: |${back[k]} - ${w[k]}| > ${q.scales[j]! / 2}`,
    );
  }
  assert.ok(Math.max(...Array.from(q.values, Math.abs)) <= 63);
});

test('DynamicQuantizeMatMul on our weights matches the float product within the quantisation error', async () => {
  const rand = lcg(3);
  const [m, k, n] = [8, 64, 32];
  const a = Float32Array.from({ length: m * k }, rand);
  const w = Float32Array.from({ length: k * n }, () => rand() * 0.1);
  const bias = Float32Array.from({ length: n }, rand);
  const q = quantizeColumns(w, k, n);
  const g = new GraphBuilder('dqmm');
  const x = g.input('a', OnnxType.FLOAT, ['m', k]);
  g.op(
    'DynamicQuantizeMatMul',
    [x, g.init('w', [k, n], q.values), g.init('s', [n], q.scales), '', g.init('b', [n], bias)],
    { domain: MS_DOMAIN, names: ['y'] },
  );
  g.output('y', OnnxType.FLOAT, ['m', n]);
  const session = await ort.InferenceSession.create(g.encode());
  const { y } = await session.run({ a: new ort.Tensor('float32', a, [m, k]) });
  const got = y!.data as Float32Array;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let exact = bias[j]!;
      for (let t = 0; t < k; t++) exact += a[i * k + t]! * w[t * n + j]!;
      worst = Math.max(worst, Math.abs(got[i * n + j]! - exact));
      scale = Math.max(scale, Math.abs(exact));
    }
  }
  assert.ok(worst / scale < 0.02, `relative error ${worst / scale}`);
  await session.release();
});
