/**
 * `HostTensor`: a dense, row-major tensor in plain host memory. Checkpoint readers produce these and
 * writers consume them; no tfjs is involved, so loading weights costs no backend memory until a model
 * chooses to upload them.
 */
import { CheckpointError } from '../errors.js';

/** Element types a host tensor can hold. Every floating-point type on disk is widened to `float32`. */
export type HostDType = 'float32' | 'int32' | 'int64' | 'bool';

/** The typed array that backs each dtype (`bool` is one byte per element, 0 or 1). */
export interface HostDataByDType {
  float32: Float32Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

/**
 * A tensor in host memory, discriminated by `dtype` so `data` narrows with it.
 *
 * @example
 * const t: HostTensor = { dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
 * if (t.dtype === 'float32') t.data[3]; // → 4 (typed as Float32Array)
 */
export type HostTensor = { [D in HostDType]: { dtype: D; shape: number[]; data: HostDataByDType[D] } }[HostDType];

/**
 * Number of elements of a shape (1 for a scalar `[]`).
 *
 * @example
 * numel([2, 3, 4]); // → 24
 */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Checks that `shape` holds non-negative integers and that `data.length` equals its element count.
 * Throws a `CheckpointError` naming `what` otherwise.
 *
 * @example
 * const t = hostTensor('float32', [2], new Float32Array([0.5, 1])); // → { dtype: 'float32', shape: [2], data: … }
 */
export function hostTensor<D extends HostDType>(
  dtype: D,
  shape: number[],
  data: HostDataByDType[D],
  what = 'tensor',
): HostTensor {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new CheckpointError(`${what}: shape must be non-negative integers, got [${shape.join(', ')}]`);
  }
  if (data.length !== numel(shape)) {
    throw new CheckpointError(
      `${what}: shape [${shape.join(', ')}] needs ${numel(shape)} elements, got ${data.length}`,
    );
  }
  // A generic D cannot narrow the mapped union by itself; the pairing of dtype and data is what D enforces.
  return { dtype, shape, data } as HostTensor;
}

/**
 * Shape as text for error messages.
 *
 * @example
 * formatShape([2, 3]); // → '[2, 3]'
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
