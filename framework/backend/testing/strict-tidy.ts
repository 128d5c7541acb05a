/**
 * Strict tidy, for tests (scripts/vitest-setup.ts turns it on in every test process): a `tf.tidy` that returns more
 * host numbers than {@link STRICT_TIDY_LIMIT} throws. The source scan (tidy-read.test.ts) sees `.dataSync()` written
 * in a tidy's own body; this also sees one read by a helper the tidy calls — how the walk hid in the generation
 * sources.
 */
import { tf } from '../tf.js';

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

let enabled = false;

/**
 * Makes every later `tf.tidy` in this process throw when it returns more than {@link STRICT_TIDY_LIMIT} host numbers
 * (tidy walks each one looking for tensors: read them outside with `tidyRead`). Calling it again changes nothing.
 * @example
 * enableStrictTidy();
 * const readAll = (t: tf.Tensor) => t.dataSync();
 * tf.tidy(() => readAll(tf.zeros([10_001]))); // throws: tf.tidy returned 10001 host numbers (limit 10000); …
 */
export function enableStrictTidy(): void {
  if (enabled) return;
  enabled = true;
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
