import { tf } from './tf.js';

/**
 * A replacement for the wasm backend's `BatchMatMul`. tfjs-wasm sends only an untransposed 2-D product to
 * XNNPACK; a transpose flag or a batch dimension falls to a naive loop 17–44× slower (1024×256×1024:
 * plain 48 ms, transposeB 806 ms, transposeA 2115 ms; a [4,256,256] batch 0.9 GFLOPS). Every backward pass
 * and every attention product hits those cases. Here a transposed operand is transposed once with the
 * Transpose kernel, and a batch runs as one XNNPACK product per item on views into the wasm heap (no
 * slicing or stacking copies).
 */

interface TensorData {
  id: number;
  memoryOffset: number;
}
/** The parts of tfjs-wasm's `BackendWasm` this kernel uses (pinned to @tensorflow/tfjs-backend-wasm 4.22). */
interface WasmBackendInternals {
  dataIdMap: { get(dataId: object): TensorData | undefined; delete(dataId: object): boolean };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { disposeData(id: number): void };
  };
}

function isWasmBackend(b: object): b is WasmBackendInternals {
  return 'dataIdMap' in b && 'makeOutput' in b && 'wasm' in b;
}

let wasmBatchMatMul: ((...args: unknown[]) => void) | undefined;

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

function transposeLast2(backend: WasmBackendInternals & object, x: tf.TensorInfo, batch: number): tf.TensorInfo {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('wasm backend has no Transpose kernel');
  const rows = x.shape[x.shape.length - 2]!;
  const cols = x.shape[x.shape.length - 1]!;
  const out = transpose.kernelFunc({
    inputs: { x: { ...x, shape: [batch, rows, cols] } },
    backend,
    attrs: { perm: [0, 2, 1] },
  });
  if (Array.isArray(out)) throw new Error('Transpose returned several outputs');
  return out;
}

/** A tensor entry that points into existing heap memory; released without freeing that memory. */
function view(
  backend: WasmBackendInternals,
  memoryOffset: number,
  shape: number[],
): { info: tf.TensorInfo; id: number; release(): void } {
  const info = backend.makeOutput(shape, 'float32', memoryOffset);
  const data = backend.dataIdMap.get(info.dataId)!;
  return {
    info,
    id: data.id,
    release: () => {
      backend.wasm.tfjs.disposeData(data.id);
      backend.dataIdMap.delete(info.dataId);
    },
  };
}

function kernel({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  if (!isWasmBackend(backend)) throw new Error('fewprompt BatchMatMul: not a wasm backend');
  wasmBatchMatMul ??= backend.wasm.cwrap('BatchMatMul', null, [
    'number',
    'array',
    'number',
    'number',
    'array',
    'number',
    'number',
    'number',
    'number',
  ]);
  const a = inputs['a']!;
  const b = inputs['b']!;
  const transposeA = Boolean(attrs?.['transposeA']);
  const transposeB = Boolean(attrs?.['transposeB']);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul: only float32 is supported on wasm');
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb)
    throw new Error(
      `matMul: inner dimensions ${k} and ${kb} of shapes [${a.shape}] and [${b.shape}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) do not match`,
    );
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((x, y) => x * y, 1);
  const batchB = outerB.reduce((x, y) => x * y, 1);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1)
    throw new Error(`matMul: batch dims [${outerA}] and [${outerB}] do not broadcast`);
  const batch = Math.max(batchA, batchB);
  const outShape = [
    ...(outerA.length >= outerB.length ? outerA : outerB).map((d, i, arr) => {
      const other = outerA.length >= outerB.length ? outerB : outerA;
      const j = i - (arr.length - other.length);
      return j >= 0 ? Math.max(d, other[j]!) : d;
    }),
    m,
    n,
  ];

  // Small a times a large transposed b (the tied MLM decoder h·Eᵀ): XNNPACK would repack all of b on
  // every call, so compute outᵀ = b·aᵀ instead (b is already stored as bᵀ) and transpose the small-ish result.
  if (batch === 1 && transposeB && !transposeA && n >= 8 * m) {
    const swapped = kernel({
      inputs: { a: { ...b, shape: [n, k] }, b: { ...a, shape: [m, k] } },
      backend,
      attrs: { transposeA: false, transposeB: true },
    });
    const result = transposeLast2(backend, swapped, 1);
    backend.disposeData(swapped.dataId);
    return { ...result, shape: outShape };
  }
  const aT = transposeA ? transposeLast2(backend, a, batchA) : undefined;
  const bT = transposeB ? transposeLast2(backend, b, batchB) : undefined;
  const aOff = backend.dataIdMap.get((aT ?? a).dataId)!.memoryOffset;
  const bOff = backend.dataIdMap.get((bT ?? b).dataId)!.memoryOffset;
  const out = backend.makeOutput(outShape, 'float32');
  const outOff = backend.dataIdMap.get(out.dataId)!.memoryOffset;
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, n]);
  const sharedB = batchB === 1 ? view(backend, bOff, [1, k, n]) : undefined;
  for (let i = 0; i < batch; i++) {
    const av = view(backend, aOff + (batchA === 1 ? 0 : i) * m * k * 4, [1, m, k]);
    const bv = sharedB ?? view(backend, bOff + i * k * n * 4, [1, k, n]);
    const ov = view(backend, outOff + i * m * n * 4, [1, m, n]);
    wasmBatchMatMul(av.id, aShape, 3, bv.id, bShape, 3, false, false, ov.id);
    av.release();
    ov.release();
    if (!sharedB) bv.release();
  }
  sharedB?.release();
  if (aT) backend.disposeData(aT.dataId);
  if (bT) backend.disposeData(bT.dataId);
  return out;
}

/** Replaces the wasm backend's BatchMatMul with the transpose-then-XNNPACK kernel above. */
export function registerWasmBatchMatMul(): void {
  if (tf.getKernel('BatchMatMul', 'wasm') !== undefined) tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: kernel,
  });
}
