import assert from 'node:assert/strict';
import { test } from 'vitest';
import { useBackend } from '../testing/backends.js';
import { NATIVE_KERNEL_ROUTES, NATIVE_MIN_ELEMENTS, nativeKernelSessionCount } from './native-kernels.js';
import { tf } from './tf.js';

/** Runs `fn` on the cpu backend and on the native one with the same host inputs; returns both results. */
async function both(
  fn: () => tf.Tensor,
): Promise<[Float32Array | Int32Array | Uint8Array, Float32Array | Int32Array | Uint8Array, number[], string]> {
  await useBackend('cpu');
  const ref = tf.tidy(fn);
  const want = ref.dataSync().slice() as Float32Array;
  ref.dispose();
  await useBackend('native');
  const got = tf.tidy(fn);
  const out = [want, got.dataSync().slice() as Float32Array, got.shape, got.dtype] as [
    Float32Array,
    Float32Array,
    number[],
    string,
  ];
  got.dispose();
  return out;
}

function seeded(shape: number[], seed: number): tf.Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 4 - 2),
    shape,
  );
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(b[i]!));
    assert.ok(Math.abs(a[i]! - b[i]!) / scale <= tol, `${what}: element ${i} is ${a[i]} on native, ${b[i]} on cpu`);
  }
}

const big = [8, 16, 32]; // 4,096 elements: above NATIVE_MIN_ELEMENTS, so the ORT route runs

const cases: Record<string, () => tf.Tensor> = {
  Add: () => tf.add(seeded(big, 1), seeded([32], 2)),
  Sub: () => tf.sub(seeded(big, 1), seeded([16, 1], 2)),
  Multiply: () => tf.mul(seeded(big, 1), 0.5),
  RealDiv: () => tf.div(seeded(big, 1), tf.add(tf.abs(seeded(big, 3)), 1)),
  Maximum: () => tf.maximum(seeded(big, 1), seeded(big, 2)),
  Minimum: () => tf.minimum(seeded(big, 1), 0),
  Pow: () => tf.pow(tf.abs(seeded(big, 1)), 3),
  SquaredDifference: () => tf.squaredDifference(seeded(big, 1), seeded(big, 2)),
  Exp: () => tf.exp(seeded(big, 1)),
  Log: () => tf.log(tf.add(tf.abs(seeded(big, 1)), 0.1)),
  Sqrt: () => tf.sqrt(tf.abs(seeded(big, 1))),
  Rsqrt: () => tf.rsqrt(tf.add(tf.abs(seeded(big, 1)), 0.1)),
  Neg: () => tf.neg(seeded(big, 1)),
  Erf: () => tf.erf(seeded(big, 1)),
  Tanh: () => tf.tanh(seeded(big, 1)),
  Sigmoid: () => tf.sigmoid(seeded(big, 1)),
  Relu: () => tf.relu(seeded(big, 1)),
  Abs: () => tf.abs(seeded(big, 1)),
  Reciprocal: () => tf.reciprocal(tf.add(tf.abs(seeded(big, 1)), 0.1)),
  Square: () => tf.square(seeded(big, 1)),
  GreaterEqual: () => tf.greaterEqual(seeded(big, 1), 0),
  Greater: () => tf.greater(seeded(big, 1), seeded(big, 2)),
  Less: () => tf.less(seeded(big, 1), 0.3),
  LessEqual: () => tf.lessEqual(seeded(big, 1), seeded(big, 2)),
  // A lossless cast on tfjs-cpu shares int32 data under a float32 label; the next kernel must still read numbers.
  Cast: () => tf.mul(tf.cast(tf.cast(tf.mul(seeded(big, 1), 10), 'int32'), 'float32'), 1.5),
  Sum: () => tf.sum(seeded(big, 1), [0, 2]),
  Mean: () => tf.mean(seeded(big, 1), -1, true),
  Max: () => tf.max(seeded(big, 1), 1),
  Softmax: () => tf.softmax(seeded(big, 1)),
  Transpose: () => tf.transpose(seeded(big, 1), [2, 0, 1]),
  GatherV2: () => tf.gather(seeded([300, 16], 1), tf.tensor1d([5, 0, 299, 5, 17], 'int32')),
  BatchMatMul: () => tf.matMul(seeded([4, 32, 16], 1), seeded([4, 24, 16], 2), false, true),
};

test('every routed kernel has a case here', () => {
  for (const name of Object.keys(NATIVE_KERNEL_ROUTES))
    assert.ok(name in cases, `no test case for routed kernel ${name}`);
  assert.ok(8 * 16 * 32 >= NATIVE_MIN_ELEMENTS);
});

for (const [name, fn] of Object.entries(cases)) {
  test(`native ${name} equals the cpu kernel`, async () => {
    const [want, got, , dtype] = await both(fn);
    close(got, want, dtype === 'bool' ? 0 : 2e-5, name);
  });
}

test('matrix products on MLAS: transposes, batches and broadcasting equal the cpu kernel', async () => {
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const [want, got] = await both(() =>
      tf.matMul(seeded(ta ? [3, 40, 24] : [3, 24, 40], 1), seeded(tb ? [1, 12, 40] : [1, 40, 12], 2), ta, tb),
    );
    close(got, want, 1e-5, `matMul transposeA=${ta} transposeB=${tb}`);
  }
  const [want, got] = await both(() => tf.matMul(seeded([64, 48], 1), seeded([48, 32], 2)));
  close(got, want, 1e-5, 'matMul 2-D');
});

test('native kernels leak no tensors, and one session serves each pattern whatever the sizes', async () => {
  await useBackend('native');
  const run = (n: number) => tf.tidy(() => tf.sum(tf.mul(tf.exp(seeded([n, 64], 1)), seeded([64], 2)), -1).dataSync());
  run(64);
  const sessions = nativeKernelSessionCount();
  const before = tf.memory().numTensors;
  run(128);
  run(200);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(nativeKernelSessionCount(), sessions);
});
