import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { CheckpointError } from '../../../framework/errors.js';
import { floatToHalf, halfToFloat } from './half.js';
import { readLoDTensor } from './lodtensor.js';

const SHARED = '../shared/models/lac_small/model_baseline/crfw';

/** A LoDTensor file as PaddlePaddle writes it: FP32 by default. */
function lodFile(
  dims: number[],
  values: number[],
  { version = 0, dtype = 5, lod = [] as number[][] } = {},
): Uint8Array {
  const desc = [0x08, dtype, 0x12, dims.length, ...dims]; // field 1 varint, field 2 packed (small dims)
  const head = new DataView(new ArrayBuffer(4 + 8));
  head.setUint32(0, version, true);
  head.setBigUint64(4, BigInt(lod.length), true);
  const lodBytes = lod.flatMap((level) => {
    const b = new DataView(new ArrayBuffer(8 + 8 * level.length));
    b.setBigUint64(0, BigInt(8 * level.length), true);
    level.forEach((v, i) => b.setBigUint64(8 + 8 * i, BigInt(v), true));
    return [...new Uint8Array(b.buffer)];
  });
  const tensorHead = new DataView(new ArrayBuffer(8));
  tensorHead.setInt32(4, desc.length, true);
  const data = new Uint8Array(new Float32Array(values).buffer);
  return Uint8Array.from([
    ...new Uint8Array(head.buffer),
    ...lodBytes,
    ...new Uint8Array(tensorHead.buffer),
    ...desc,
    ...data,
  ]);
}

test('reads an FP32 tensor with its shape and LoD', () => {
  const t = readLoDTensor(lodFile([2, 3], [1, 2, 3, 4, 5, 6], { lod: [[0, 2]] }), 'x');
  assert.deepEqual(t.dims, [2, 3]);
  assert.deepEqual([...t.data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(t.lod, [[0, 2]]);
});

test('malformed files fail with a CheckpointError that says what is wrong', () => {
  const good = lodFile([2, 2], [1, 2, 3, 4]);
  assert.throws(
    () => readLoDTensor(lodFile([2, 2], [1, 2, 3, 4], { version: 7 }), 'w'),
    (e: Error) => e instanceof CheckpointError && /version 7, expected 0/.test(e.message),
  );
  assert.throws(() => readLoDTensor(good.subarray(0, 10), 'w'), /truncated LoDTensor file/);
  assert.throws(() => readLoDTensor(good.subarray(0, good.length - 4), 'w'), /needs 16 data bytes, file has 12/);
  assert.throws(() => readLoDTensor(lodFile([2], [1, 2], { dtype: 3 }), 'w'), /data type 3 is not supported/);
});

test('half precision round trip', () => {
  for (const v of [0, 1, -2.5, 0.1, 65504, 1e-5])
    assert.ok(Math.abs(halfToFloat(floatToHalf(v)) - v) <= Math.abs(v) * 1e-3 + 1e-7, String(v));
  assert.equal(halfToFloat(floatToHalf(1e6)), Infinity);
});

test('reads the real crfw of jieba lac_small', (ctx) => {
  if (!existsSync(SHARED)) ctx.skip(`needs ${SHARED}`);
  const t = readLoDTensor(readFileSync(SHARED), 'crfw');
  assert.deepEqual(t.dims, [59, 57]);
});
