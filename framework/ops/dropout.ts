import { tf, type Tensor } from '../backend/tf.js';

/** murmur3's 32-bit finaliser: a bijective mix whose outputs pass avalanche tests. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Host values of an inverted-dropout keep-mask: element i is 1/(1 − rate) when a 32-bit hash of (seed, i) is at least
 * rate·2³², else 0. A counter-based hash rather than tfjs's seeded alea stream (`tf.randomUniform`): ~2 ns an element
 * instead of ~30 (dropout masks were a quarter of a native training step), and the same masks on every backend.
 * @example dropoutMaskValues(4, 0.5, 7); // Float32Array [2, 0, 2, 2] — the same for the same seed everywhere
 */
export function dropoutMaskValues(size: number, rate: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  const scale = 1 / (1 - rate);
  const threshold = rate * 4294967296;
  const key = fmix32(Math.imul(seed | 0, 0x27d4eb2d) ^ 0x165667b1);
  for (let i = 0; i < size; i++) {
    if (fmix32(Math.imul(i, 0x9e3779b1) ^ key) >= threshold) out[i] = scale;
  }
  return out;
}

/** The keep-mask of {@link dropoutMaskValues} as a tensor of `shape`. */
export function dropoutMask(shape: readonly number[], rate: number, seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(dropoutMaskValues(size, rate, seed), [...shape], 'float32');
}

/**
 * Inverted dropout with an explicit seed, so two runs with the same seeds drop the same units
 * (and R-Drop's two passes, given different seeds, drop different ones).
 */
export function dropout(x: Tensor, rate: number, seed: number): Tensor {
  if (rate <= 0) return x;
  return tf.tidy(() => tf.mul(x, dropoutMask(x.shape, rate, seed)));
}
