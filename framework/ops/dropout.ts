import { tf, type Tensor } from '../backend/tf.js';

/**
 * Inverted dropout with an explicit seed, so two runs with the same seeds drop the same units
 * (and R-Drop's two passes, given different seeds, drop different ones).
 */
export function dropout(x: Tensor, rate: number, seed: number): Tensor {
  if (rate <= 0) return x;
  return tf.tidy(() => {
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), 'float32');
    return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
  });
}
