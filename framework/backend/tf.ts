/**
 * The one place fewprompt imports tfjs from. Everything else does `import { tf } from '../backend/tf.js'`,
 * so the backend packages are registered exactly once, before any op runs.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
// Types only: the union's declarations add the chained ops (`t.add(…)`) to `Tensor`, which the bundle registers.
import type {} from '@tensorflow/tfjs';

// The CPU backend, and the gradients of tfjs ops, which the union package's Node bundle registers (tfjs-core's own
// registration module is ESM without file extensions, which Node cannot load). Both are CommonJS bundles loaded for
// their side effects: `require` skips the named-export scan Node runs on CommonJS that ESM imports (~0.2 s of
// `import('fewprompt')` for the union's 1.3 MB bundle).
const require = createRequire(import.meta.url);
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs');

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
