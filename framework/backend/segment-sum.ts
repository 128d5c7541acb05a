import { tf } from './tf.js';
import type { TypedArray } from '@tensorflow/tfjs-core/dist/types.js';

/**
 * `UnsortedSegmentSum` — the gradient of `gather` (every embedding lookup). The wasm backend lacks it and
 * the cpu backend's version is quadratic (100 s for three calls on a 21k-row embedding), so we register a
 * linear scatter-add for both. `out[seg[i], …] += x[i, …]`.
 */
export function segmentSumInto(
  x: ArrayLike<number>,
  segmentIds: ArrayLike<number>,
  inner: number,
  out: Float32Array | Int32Array,
  numSegments: number,
): void {
  for (let i = 0; i < segmentIds.length; i++) {
    const seg = segmentIds[i]!;
    if (seg < 0 || seg >= numSegments) continue; // TF semantics: out-of-range ids are dropped
    const src = i * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
}

interface SegmentSumInputs {
  x: tf.TensorInfo;
  segmentIds: tf.TensorInfo;
}

function shapeOf(inputs: SegmentSumInputs, numSegments: number): { outShape: number[]; inner: number } {
  const trailing = inputs.x.shape.slice(inputs.segmentIds.shape.length);
  return { outShape: [numSegments, ...trailing], inner: trailing.reduce((a, b) => a * b, 1) };
}

interface WasmLike extends tf.KernelBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): TypedArray;
}

interface CpuLike extends tf.KernelBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

function isWasm(b: object): b is WasmLike {
  return 'typedArrayFromHeap' in b && 'makeOutput' in b;
}
function isCpu(b: object): b is CpuLike {
  return 'makeTensorInfo' in b && 'readSync' in b;
}
function numeric(values: tf.backend_util.BackendValues): ArrayLike<number> {
  if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array) return values;
  throw new Error('UnsortedSegmentSum: string tensors are not supported');
}

/**
 * Registers the scatter-add `UnsortedSegmentSum` on `backendName`
 * ('wasm', or 'cpu' and the native backend built on it).
 */
export function registerSegmentSum(backendName: 'wasm' | 'cpu' | 'native'): void {
  if (tf.getKernel('UnsortedSegmentSum', backendName) !== undefined)
    tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs['x'];
      const segmentIds = inputs['segmentIds'];
      if (!x || !segmentIds) throw new Error('UnsortedSegmentSum: needs inputs x and segmentIds');
      const numSegments = Number((attrs as { numSegments: number }).numSegments);
      const { outShape, inner } = shapeOf({ x, segmentIds }, numSegments);
      if (isWasm(backend)) {
        const out = backend.makeOutput(outShape, x.dtype);
        const outData = backend.typedArrayFromHeap(out);
        if (!(outData instanceof Float32Array || outData instanceof Int32Array))
          throw new Error('UnsortedSegmentSum: unsupported dtype');
        outData.fill(0);
        segmentSumInto(
          numeric(backend.readSync(x.dataId)),
          numeric(backend.readSync(segmentIds.dataId)),
          inner,
          outData,
          numSegments,
        );
        return out;
      }
      if (isCpu(backend)) {
        const size = numSegments * inner;
        const outData = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
        segmentSumInto(
          numeric(backend.readSync(x.dataId)),
          numeric(backend.readSync(segmentIds.dataId)),
          inner,
          outData,
          numSegments,
        );
        return backend.makeTensorInfo(outShape, x.dtype, outData);
      }
      throw new Error(`UnsortedSegmentSum: backend ${backendName} is not wasm- or cpu-like`);
    },
  });
}
