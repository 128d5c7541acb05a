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

/** Host numbers a tidy may return before strict mode calls it a bug (≈ 14 ms of tidy's walk). */
export const STRICT_TIDY_LIMIT = 10_000;

/**
 * How many host numbers `value` holds where tf.tidy would walk them: a typed array's length, an array's numbers and
 * the lengths of the arrays in it, the same for a plain object's values (two levels, enough for
 * `{ scores: number[][] }`).
 * @example hostNumbersIn({ scores: [[1, 2], [3, 4]], t: tf.ones([9]) }); // → 4
 */
export function hostNumbersIn(value: unknown, depth = 0): number {
  if (value === null || typeof value !== 'object' || value instanceof tf.Tensor) return 0;
  if (ArrayBuffer.isView(value)) return (value as unknown as ArrayLike<number>).length;
  if (Array.isArray(value)) {
    let n = 0;
    for (const x of value)
      n += typeof x === 'number' ? 1 : ArrayBuffer.isView(x) || Array.isArray(x) ? (x as ArrayLike<unknown>).length : 0;
    return n;
  }
  if (depth >= 2) return 0;
  let n = 0;
  for (const x of Object.values(value)) n += hostNumbersIn(x, depth + 1);
  return n;
}

// FEWPROMPT_STRICT_TIDY=1 (set by the test runner): a tidy that returns more host numbers than STRICT_TIDY_LIMIT
// throws. The source scan (tidy-read.test.ts) sees `.dataSync()` written in a tidy's own body; this also sees one
// read by a helper the tidy calls — how the walk hid in the generation sources.
if (process.env['FEWPROMPT_STRICT_TIDY'] === '1') {
  const engine = tf.engine();
  const tidy = engine.tidy.bind(engine);
  engine.tidy = ((nameOrFn: string | (() => tf.TensorContainer), fn?: () => tf.TensorContainer) => {
    const result = tidy(nameOrFn as string, fn as () => tf.TensorContainer);
    const n = hostNumbersIn(result);
    if (n > STRICT_TIDY_LIMIT) {
      throw new Error(
        `tf.tidy returned ${n} host numbers (limit ${STRICT_TIDY_LIMIT}); tidy walks each one looking for tensors — ` +
          'read them outside with tidyRead(fn, read)',
      );
    }
    return result;
  }) as typeof engine.tidy;
}
