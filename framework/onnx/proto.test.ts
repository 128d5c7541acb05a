import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, MS_DOMAIN } from './graph.js';
import { OnnxType, readGraphSummary } from './proto.js';

test('ONNX writer round trip: ORT loads and runs standard, float-attribute and com.microsoft nodes', async () => {
  const g = new GraphBuilder('roundtrip');
  const x = g.input('x', OnnxType.FLOAT, ['batch', 3]);
  const w = g.init('w', [3, 2], Float32Array.of(1, 0, 0, 1, 1, 1));
  g.scope = 'block/';
  const y = g.op('MatMul', [x, w]);
  const gelu = g.op('BiasGelu', [y, g.init('b', [2], Float32Array.of(0.5, -0.5))], { domain: MS_DOMAIN });
  const scaled = g.op('LeakyRelu', [gelu], { attributes: { alpha: { float: 0.25 } } });
  g.scope = '';
  g.op('ReduceSum', [scaled, g.ints('axes', [1])], { attributes: { keepdims: 0 }, names: ['out'] });
  g.output('out', OnnxType.FLOAT, ['batch']);
  const bytes = g.encode({ metadata: { source: 'test' }, producerVersion: '0.1.0' });
  const session = await ort.InferenceSession.create(bytes);
  const input = Float32Array.of(1, 2, 3, -1, -2, -3);
  const { out } = await session.run({ x: new ort.Tensor('float32', input, [2, 3]) });
  const gel = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));
  const expected = [0, 1].map((b) => {
    const r = input.slice(b * 3, b * 3 + 3);
    return [r[0]! + r[2]! + 0.5, r[1]! + r[2]! - 0.5]
      .map(gel)
      .map((v) => (v < 0 ? 0.25 * v : v))
      .reduce((a, c) => a + c, 0);
  });
  const got = Array.from(out!.data as Float32Array);
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `row ${i}: ${v} vs ${expected[i]}`));
  const summary = readGraphSummary(bytes);
  assert.deepEqual(summary.ops, ['MatMul', 'com.microsoft:BiasGelu', 'LeakyRelu', 'ReduceSum']);
  assert.equal(summary.initializers, 3);
  assert.deepEqual(summary.opsets, { '': 17, 'com.microsoft': 1 });
  assert.deepEqual(
    [...g.countByScope()],
    [
      ['block', 3],
      ['', 1],
    ],
  );
  await session.release();
});

test('GraphBuilder refuses an initializer whose data does not fill its dims', () => {
  const g = new GraphBuilder('bad');
  assert.throws(() => g.init('w', [2, 2], new Float32Array(3)), /dims \[2, 2\] hold 4 values, data has 3/);
});

/** erf via the complementary error function's Chebyshev fit (Numerical Recipes erfcc), |error| < 1.2e-7. */
function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}
