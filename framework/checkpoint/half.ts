/**
 * IEEE half precision (F16) and bfloat16 (BF16) ⇄ float32 conversion, bit-exact: round to nearest
 * even, subnormals kept, overflow to ±Infinity, NaN stays NaN (quieted). Values travel as raw 16-bit
 * patterns in `Uint16Array`s, the way they sit in a checkpoint file.
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

let f16Table: Uint32Array | undefined;

/** All 65,536 half patterns as float32 bit patterns, built on first use (256 KiB). */
function halfTable(): Uint32Array {
  if (f16Table) return f16Table;
  const table = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) {
      table[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0;
    } else if (exp !== 0) {
      table[h] = (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
    } else {
      scratchF32[0] = mant * 2 ** -24; // subnormal (or zero): exact in float32
      table[h] = (sign | scratchU32[0]) >>> 0;
    }
  }
  f16Table = table;
  return table;
}

/**
 * Decodes one F16 bit pattern.
 *
 * @example
 * f16BitsToFloat(0x3c00); // → 1
 * f16BitsToFloat(0x0001); // → 5.960464477539063e-8 (smallest subnormal)
 */
export function f16BitsToFloat(bits: number): number {
  scratchU32[0] = halfTable()[bits & 0xffff];
  return scratchF32[0];
}

/**
 * Encodes a number as the nearest F16 bit pattern (ties to even).
 *
 * @example
 * floatToF16Bits(1); // → 0x3c00
 * floatToF16Bits(65520); // → 0x7c00 (rounds up to Infinity)
 */
export function floatToF16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant !== 0 ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00;
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = full * 2^(E-23) = m * 2^-24, so m = full >> (14 - e).
    const shift = 14 - e;
    if (shift > 24) return sign;
    const full = mant | 0x800000;
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (m & 1) !== 0)) m++;
    return sign | m; // m may carry into 0x400: the smallest normal, which is right
  }
  let m = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (m & 1) !== 0)) m++;
  return sign | ((e << 10) + m); // a carry out of the mantissa bumps the exponent (up to Infinity)
}

/**
 * Decodes one BF16 bit pattern.
 *
 * @example
 * bf16BitsToFloat(0x3f80); // → 1
 */
export function bf16BitsToFloat(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0];
}

/**
 * Encodes a number as the nearest BF16 bit pattern (ties to even).
 *
 * @example
 * floatToBf16Bits(1); // → 0x3f80
 * floatToBf16Bits(1 + 2 ** -8); // → 0x3f80 (a tie: rounds to the even pattern)
 */
export function floatToBf16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Widens an array of F16 patterns to float32.
 *
 * @example
 * f16ToF32(new Uint16Array([0x3c00, 0xc000])); // → Float32Array [1, -2]
 */
export function f16ToF32(bits: Uint16Array): Float32Array {
  const table = halfTable();
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return new Float32Array(out.buffer);
}

/**
 * Narrows float32 values to F16 patterns.
 *
 * @example
 * f32ToF16(new Float32Array([1, -2])); // → Uint16Array [0x3c00, 0xc000]
 */
export function f32ToF16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToF16Bits(values[i]);
  return out;
}

/**
 * Widens an array of BF16 patterns to float32.
 *
 * @example
 * bf16ToF32(new Uint16Array([0x3f80])); // → Float32Array [1]
 */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

/**
 * Narrows float32 values to BF16 patterns.
 *
 * @example
 * f32ToBf16(new Float32Array([1])); // → Uint16Array [0x3f80]
 */
export function f32ToBf16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToBf16Bits(values[i]);
  return out;
}
