/**
 * The `native` tfjs backend: tfjs's CPU backend (tensors in ordinary host memory, no 4 GiB wasm heap) with its
 * matrix products moved to ONNX Runtime's MLAS through the binding's synchronous session. Every other kernel is
 * the CPU backend's; the heavy per-layer work of BERT runs as fused ONNX graphs (`framework/model/fused-layer.ts`),
 * which read and write these host tensors in place.
 *
 * Why not tfjs-wasm with ORT kernels: the binding refuses SharedArrayBuffer-backed arrays, which is where
 * tfjs-wasm's threaded build keeps its heap, and that heap caps a model at 4 GiB of activations and state.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { MS_DOMAIN, GraphBuilder } from '../onnx/graph.js';
import { OnnxType } from '../onnx/proto.js';
import { NATIVE_KERNEL_ROUTES, hostValues, nativeKernel } from './native-kernels.js';
import { NativeSession } from './ort-binding.js';
import { registerSegmentSum } from './segment-sum.js';
import { tf } from './tf.js';

/** The name the backend registers under (`FEWPROMPT_BACKEND=native`). */
export const NATIVE_BACKEND = 'native';

const sessions = new Map<string, NativeSession>();

/** ORT's `FusedMatMul` (MatMul with transpose flags, numpy batch broadcasting) for one rank/transpose pattern. */
function matMulSession(rankA: number, rankB: number, transposeA: boolean, transposeB: boolean): NativeSession {
  const key = `${rankA}.${rankB}.${+transposeA}${+transposeB}`;
  let session = sessions.get(key);
  if (session) return session;
  const g = new GraphBuilder('native-matmul');
  const dims = (rank: number, prefix: string) => Array.from({ length: rank }, (_, i) => `${prefix}${i}`);
  const a = g.input('a', OnnxType.FLOAT, dims(rankA, 'a'));
  const b = g.input('b', OnnxType.FLOAT, dims(rankB, 'b'));
  const y = g.op('FusedMatMul', [a, b], {
    domain: MS_DOMAIN,
    names: ['y'],
    attributes: { transA: +transposeA, transB: +transposeB, alpha: { float: 1 } },
  });
  g.output(y, OnnxType.FLOAT, dims(Math.max(rankA, rankB), 'y'));
  session = NativeSession.create(g.encode(), { name: 'MatMul' });
  sessions.set(key, session);
  return session;
}

/** Host values of a float32 tensor of this backend (no copy unless a lossless cast left other typed data). */
const hostFloats = (backend: MathBackendCPU, info: tf.TensorInfo) => hostValues(backend, info) as Float32Array;

/** `a·b` on MLAS; null when the inputs are not float32 (the CPU kernel then runs). */
export function nativeMatMul(
  backend: MathBackendCPU,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const session = matMulSession(a.shape.length, b.shape.length, transposeA, transposeB);
  const { y } = session.run(
    {
      a: { type: 'float32', dims: a.shape, data: hostFloats(backend, a) },
      b: { type: 'float32', dims: b.shape, data: hostFloats(backend, b) },
    },
    ['y'],
  );
  return backend.makeTensorInfo([...y!.dims], 'float32', y!.data as Float32Array);
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

function asCpu(backend: object): MathBackendCPU {
  if (!(backend instanceof MathBackendCPU)) throw new Error('native backend kernel called with another backend');
  return backend;
}

function registerMatMulKernels(): void {
  const cpuBatchMatMul = tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc;
  const cpuFused = tf.getKernel('_FusedMatMul', 'cpu')!.kernelFunc;
  const cpuAdd = tf.getKernel('Add', 'cpu')!.kernelFunc;
  tf.unregisterKernel('BatchMatMul', NATIVE_BACKEND);
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: NATIVE_BACKEND,
    kernelFunc: (args: KernelArgs) => {
      const { a, b } = args.inputs;
      const out = nativeMatMul(
        asCpu(args.backend),
        a!,
        b!,
        Boolean(args.attrs?.['transposeA']),
        Boolean(args.attrs?.['transposeB']),
      );
      return out ?? (cpuBatchMatMul(args as Parameters<typeof cpuBatchMatMul>[0]) as tf.TensorInfo);
    },
  });
  tf.unregisterKernel('_FusedMatMul', NATIVE_BACKEND);
  tf.registerKernel({
    kernelName: '_FusedMatMul',
    backendName: NATIVE_BACKEND,
    kernelFunc: (args: KernelArgs) => {
      const { a, b, bias } = args.inputs;
      const activation = args.attrs?.['activation'] ?? 'linear';
      const backend = asCpu(args.backend);
      // Bias-only products (what dense layers emit) run on MLAS; other activations keep the CPU kernel.
      const product =
        activation === 'linear'
          ? nativeMatMul(backend, a!, b!, Boolean(args.attrs?.['transposeA']), Boolean(args.attrs?.['transposeB']))
          : null;
      if (!product) return cpuFused(args as Parameters<typeof cpuFused>[0]) as tf.TensorInfo;
      if (!bias) return product;
      const sum = cpuAdd({ inputs: { a: product, b: bias }, backend, attrs: {} }) as tf.TensorInfo;
      backend.disposeData(product.dataId);
      return sum;
    },
  });
}

let registered = false;

/**
 * Registers the `native` backend (once): a CPU backend instance with every CPU kernel, MLAS matrix products, and
 * fewprompt's scatter-add. Throws a BackendError when onnxruntime-node's binding cannot be loaded.
 * @example registerNativeBackend(); await tf.setBackend('native');
 */
export function registerNativeBackend(): void {
  if (registered) return;
  matMulSession(2, 2, false, false); // loads the binding now: a broken install fails here, not mid-training
  tf.registerBackend(NATIVE_BACKEND, () => new MathBackendCPU(), 1);
  for (const config of tf.getKernelsForBackend('cpu')) {
    const cpuKernel = config.kernelFunc;
    const routed = config.kernelName in NATIVE_KERNEL_ROUTES;
    tf.registerKernel({
      ...config,
      backendName: NATIVE_BACKEND,
      kernelFunc: routed
        ? (args) =>
            nativeKernel(config.kernelName, args.inputs, args.attrs ?? {}, asCpu(args.backend)) ?? cpuKernel(args)
        : cpuKernel,
    });
  }
  registerSegmentSum(NATIVE_BACKEND);
  registerMatMulKernels();
  registered = true;
}

/** True when the active tfjs backend is the native one. */
export function onNativeBackend(): boolean {
  return tf.getBackend() === NATIVE_BACKEND;
}
