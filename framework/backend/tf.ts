/**
 * The one place fewprompt imports tfjs from. Everything else does `import { tf } from '../backend/tf.js'`,
 * so the backend packages are registered exactly once, before any op runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The gradients of tfjs ops are registered by the union package's Node bundle; tfjs-core's own
// registration module is ESM without file extensions, which Node cannot load.
import '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Tensor1D = tf.Tensor1D;
export type Tensor2D = tf.Tensor2D;
export type Tensor3D = tf.Tensor3D;
export type Variable = tf.Variable;

// Production mode: skips tfjs's debug-only checks and its "install tfjs-node" console nag; the backend
// choice is logged by fewprompt itself.
tf.env().set('PROD', true);

/**
 * Runs `fn` in `tf.tidy` and reads its result to the host with `read`, then disposes the result. Use it instead
 * of returning `.dataSync()` / `.arraySync()` from a tidy: tidy walks a returned typed array or nested array
 * element by element looking for tensors (≈1.4 µs an element on Node: 7 s for the 5.4M floats of a
 * 21,128 × 256 embedding table, 0.9 s for a batch of 32 vocabulary-sized logit rows).
 * @example
 * const scores = tidyRead(() => tf.softmax(logits), (t) => t.arraySync() as number[][]);
 */
export function tidyRead<T extends tf.TensorContainer, R>(fn: () => T, read: (result: T) => R): R {
  const result = tf.tidy(fn);
  try {
    return read(result);
  } finally {
    tf.dispose(result);
  }
}
