import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import {
  bf16BitsToFloat,
  bf16ToF32,
  f16BitsToFloat,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  floatToBf16Bits,
  floatToF16Bits,
} from './half.js';

const vectors = JSON.parse(readFileSync(new URL('./fixtures/half-vectors.json', import.meta.url), 'utf8')) as {
  f32: number[];
  f16: number[];
  bf16: number[];
};
const fromBits = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0] ?? NaN;

test('F16 and BF16 rounding matches numpy / torch on random and edge-case floats', () => {
  const values = new Float32Array(new Uint32Array(vectors.f32).buffer);
  assert.deepEqual([...f32ToF16(values)], vectors.f16);
  assert.deepEqual([...f32ToBf16(values)], vectors.bf16);
});

test('every F16 and BF16 pattern decodes and re-encodes to itself (NaNs stay NaN)', () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const f16 = f16ToF32(all);
  const bf16 = bf16ToF32(all);
  for (let h = 0; h < 65536; h++) {
    const isNaN16 = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    if (isNaN16) assert.ok(Number.isNaN(f16[h]) && (floatToF16Bits(f16[h] ?? 0) & 0x7fff) > 0x7c00, `f16 ${h}`);
    else assert.equal(floatToF16Bits(f16[h] ?? NaN), h, `f16 ${h.toString(16)}`);
    const isNaNb = (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
    if (isNaNb)
      assert.ok(Number.isNaN(bf16[h]) && Number.isNaN(bf16BitsToFloat(floatToBf16Bits(bf16[h] ?? 0))), `bf16 ${h}`);
    else assert.equal(floatToBf16Bits(bf16[h] ?? NaN), h, `bf16 ${h.toString(16)}`);
  }
});

test('F16 ties go to even, subnormals round, overflow saturates to Infinity', () => {
  assert.equal(floatToF16Bits(1 + 2 ** -11), 0x3c00); // tie between 1 and 1+2^-10 → even (1)
  assert.equal(floatToF16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
  assert.equal(floatToF16Bits(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(floatToF16Bits(2 ** -25), 0x0000); // exactly half of it → even (0)
  assert.equal(floatToF16Bits(fromBits(0x33000001)), 0x0001); // just above half → up
  assert.equal(floatToF16Bits(3 * 2 ** -25), 0x0002); // tie between 1 and 2 → 2
  assert.equal(floatToF16Bits(2 ** -14 - 2 ** -25), 0x0400); // tie at the subnormal/normal boundary → even (normal)
  assert.equal(floatToF16Bits(65504), 0x7bff);
  assert.equal(floatToF16Bits(65519), 0x7bff);
  assert.equal(floatToF16Bits(65520), 0x7c00);
  assert.equal(floatToF16Bits(-Infinity), 0xfc00);
  assert.equal(floatToF16Bits(-0), 0x8000);
  assert.equal(floatToF16Bits(1e-30), 0x0000);
  assert.ok((floatToF16Bits(NaN) & 0x7e00) === 0x7e00);
  assert.equal(f16BitsToFloat(0x0001), 2 ** -24);
  assert.equal(f16BitsToFloat(0x03ff), 1023 * 2 ** -24);
  assert.equal(f16BitsToFloat(0xfc00), -Infinity);
  assert.ok(Object.is(f16BitsToFloat(0x8000), -0));
});

test('BF16 ties go to even and overflow saturates to Infinity', () => {
  assert.equal(floatToBf16Bits(1 + 2 ** -8), 0x3f80);
  assert.equal(floatToBf16Bits(1 + 3 * 2 ** -8), 0x3f82);
  assert.equal(floatToBf16Bits(fromBits(0x7f7fffff)), 0x7f80);
  assert.equal(floatToBf16Bits(fromBits(0x00000001)), 0x0000);
  assert.ok(Number.isNaN(bf16BitsToFloat(floatToBf16Bits(NaN))));
  assert.equal(bf16BitsToFloat(0xc000), -2);
});
