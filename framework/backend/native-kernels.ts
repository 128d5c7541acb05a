/**
 * The tfjs kernels the `native` backend runs on ONNX Runtime instead of tfjs's CPU backend: elementwise
 * arithmetic, reductions, softmax, transposes, gathers. tfjs-cpu's JS loops index every element through
 * broadcasting helpers (a training step of the 4 × 256 model spent 10 s in them against 0.2 s in MLAS
 * products); ORT's kernels are vectorised and use every intra-op thread.
 *
 * One table row per kernel: the ONNX op, how tfjs's inputs and attributes map onto it, and which dtypes it
 * takes. Each (kernel, input ranks, attributes) pattern is one cached session with symbolic dims; inputs of
 * other dtypes, or too small to repay a call (~10 µs), keep the CPU kernel.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { GraphBuilder } from '../onnx/graph.js';
import { OnnxType, type OnnxTypeCode } from '../onnx/proto.js';
import { NativeSession, type NativeTensor } from './ort-binding.js';
import type { tf } from './tf.js';

/** Inputs with fewer elements than this (all together) stay on the CPU kernel: a call costs ~10 µs. */
export const NATIVE_MIN_ELEMENTS = 2048;

type Dtype = 'float32' | 'int32' | 'bool';
const ONNX_TYPE: Record<Dtype, OnnxTypeCode> = {
  float32: OnnxType.FLOAT,
  int32: OnnxType.INT32,
  bool: 9 as OnnxTypeCode,
};

/** How one tfjs kernel becomes one ONNX graph. */
interface KernelRoute {
  /** tfjs input names, in the ONNX node's input order. */
  readonly inputs: readonly string[];
  /** Dtypes accepted for every input. */
  readonly dtypes: readonly Dtype[];
  /** Output dtype given the first input's (default: the same). */
  readonly outDtype?: (input: Dtype, attrs: tf.NamedAttrMap) => Dtype;
  /** Adds the node(s) computing the output from the graph inputs; attributes are baked into the session. */
  readonly emit: (g: GraphBuilder, xs: string[], attrs: tf.NamedAttrMap, ranks: number[]) => string;
}

/** tfjs reduction axes as ONNX wants them: non-negative, sorted; null or undefined = every axis. */
const axesOf = (value: unknown, rank: number): number[] => {
  if (value === null || value === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(value) ? (value as number[]) : [value as number];
  return list.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
};

const unary = (op: string, domain?: string): KernelRoute => ({
  inputs: ['x'],
  dtypes: ['float32'],
  emit: (g, [x]) => g.op(op, [x!], domain ? { domain } : {}),
});
const binary = (op: string): KernelRoute => ({
  inputs: ['a', 'b'],
  dtypes: ['float32'],
  emit: (g, [a, b]) => g.op(op, [a!, b!]),
});
const compare = (op: string): KernelRoute => ({
  inputs: ['a', 'b'],
  dtypes: ['float32'],
  outDtype: () => 'bool',
  emit: (g, [a, b]) => g.op(op, [a!, b!]),
});
const reduce = (op: string, axisAttr: string): KernelRoute => ({
  inputs: ['x'],
  dtypes: ['float32'],
  emit: (g, [x], attrs, [rank]) => {
    const axes = axesOf(attrs[axisAttr], rank!);
    const keepdims = attrs['keepDims'] ? 1 : 0;
    // Opset 17: ReduceSum takes its axes as an input, ReduceMean / ReduceMax as an attribute.
    return op === 'ReduceSum'
      ? g.op(op, [x!, g.ints('axes', axes)], { attributes: { keepdims } })
      : g.op(op, [x!], { attributes: { axes, keepdims } });
  },
});

/** tfjs kernel name → its ONNX form. */
export const NATIVE_KERNEL_ROUTES: Readonly<Record<string, KernelRoute>> = {
  Add: binary('Add'),
  Sub: binary('Sub'),
  Multiply: binary('Mul'),
  RealDiv: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  SquaredDifference: {
    inputs: ['a', 'b'],
    dtypes: ['float32'],
    emit: (g, [a, b]) => {
      const d = g.op('Sub', [a!, b!]);
      return g.op('Mul', [d, d]);
    },
  },
  Exp: unary('Exp'),
  Log: unary('Log'),
  Sqrt: unary('Sqrt'),
  Neg: unary('Neg'),
  Erf: unary('Erf'),
  Tanh: unary('Tanh'),
  Sigmoid: unary('Sigmoid'),
  Relu: unary('Relu'),
  Abs: unary('Abs'),
  Reciprocal: unary('Reciprocal'),
  Rsqrt: { inputs: ['x'], dtypes: ['float32'], emit: (g, [x]) => g.op('Reciprocal', [g.op('Sqrt', [x!])]) },
  Square: { inputs: ['x'], dtypes: ['float32'], emit: (g, [x]) => g.op('Mul', [x!, x!]) },
  GreaterEqual: compare('GreaterOrEqual'),
  Greater: compare('Greater'),
  Less: compare('Less'),
  LessEqual: compare('LessOrEqual'),
  Cast: {
    inputs: ['x'],
    dtypes: ['float32', 'int32', 'bool'],
    outDtype: (_, attrs) => attrs['dtype'] as Dtype,
    emit: (g, [x], attrs) => g.op('Cast', [x!], { attributes: { to: ONNX_TYPE[attrs['dtype'] as Dtype] } }),
  },
  Sum: reduce('ReduceSum', 'axis'),
  Mean: reduce('ReduceMean', 'axis'),
  Max: reduce('ReduceMax', 'reductionIndices'),
  Softmax: {
    inputs: ['logits'],
    dtypes: ['float32'],
    emit: (g, [x], attrs) => g.op('Softmax', [x!], { attributes: { axis: attrs['dim'] as number } }),
  },
  Transpose: {
    inputs: ['x'],
    dtypes: ['float32', 'int32'],
    emit: (g, [x], attrs) => g.op('Transpose', [x!], { attributes: { perm: attrs['perm'] as number[] } }),
  },
  GatherV2: {
    inputs: ['x', 'indices'],
    dtypes: ['float32', 'int32'],
    emit: (g, [x, i], attrs) => g.op('Gather', [x!, i!], { attributes: { axis: attrs['axis'] as number } }),
  },
};

const sessions = new Map<string, NativeSession>();

function routeSession(
  kernel: string,
  route: KernelRoute,
  dtypes: Dtype[],
  ranks: number[],
  attrs: tf.NamedAttrMap,
  outDtype: Dtype,
): NativeSession {
  const baked: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v !== 'object' || Array.isArray(v)) baked[k] = v;
  const key = `${kernel}|${dtypes.join(',')}|${ranks.join(',')}|${JSON.stringify(baked)}`;
  let session = sessions.get(key);
  if (session) return session;
  const g = new GraphBuilder(`native-${kernel}`);
  const xs = route.inputs.map((name, i) =>
    g.input(
      name,
      ONNX_TYPE[dtypes[i]!],
      Array.from({ length: ranks[i]! }, (_, d) => `${name}${d}`),
    ),
  );
  const y = route.emit(g, xs, attrs, ranks);
  g.nodes.push({ op: 'Identity', inputs: [y], outputs: ['y'], name: 'out' });
  g.output('y', ONNX_TYPE[outDtype]);
  session = NativeSession.create(g.encode(), { name: kernel });
  sessions.set(key, session);
  return session;
}

/**
 * Host values of `info` as the typed array its dtype promises. tfjs-cpu's Cast shares the data of a lossless cast
 * (bool or int32 → float32 keeps the Uint8Array / Int32Array), which ORT refuses under a float32 label.
 */
export function hostValues(backend: MathBackendCPU, info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array {
  const values = backend.readSync(info.dataId);
  switch (info.dtype) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    case 'int32':
      return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
    case 'bool':
      return values instanceof Uint8Array ? values : Uint8Array.from(values as ArrayLike<number>);
    default:
      throw new Error(`native backend: no host form for dtype ${info.dtype}`);
  }
}

/**
 * Runs `kernel` on ORT when its route accepts the inputs; undefined when the CPU kernel should run instead.
 * @example nativeKernel('Add', { a, b }, {}, backend); // a TensorInfo, or undefined for int32 / tiny inputs
 */
export function nativeKernel(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: MathBackendCPU,
): tf.TensorInfo | undefined {
  const route = NATIVE_KERNEL_ROUTES[kernel];
  if (!route) return undefined;
  const infos = route.inputs.map((n) => inputs[n]);
  let elements = 0;
  for (const info of infos) {
    if (!info || !(route.dtypes as readonly string[]).includes(info.dtype)) return undefined;
    elements += info.shape.reduce((a, b) => a * b, 1);
  }
  if (elements < NATIVE_MIN_ELEMENTS) return undefined;
  // Gather's indices may be float in tfjs's API; ORT needs int32/int64, and 0-d batchDims only.
  if (kernel === 'GatherV2' && (infos[1]!.dtype !== 'int32' || infos[0]!.dtype !== 'float32' || attrs['batchDims']))
    return undefined;
  const dtypes = infos.map((i) => i!.dtype as Dtype);
  const outDtype = route.outDtype?.(dtypes[0]!, attrs) ?? dtypes[0]!;
  if (!(outDtype in ONNX_TYPE)) return undefined;
  const session = routeSession(
    kernel,
    route,
    dtypes,
    infos.map((i) => i!.shape.length),
    attrs,
    outDtype,
  );
  const feeds: Record<string, NativeTensor> = {};
  route.inputs.forEach((name, k) => {
    const info = infos[k]!;
    feeds[name] = { type: dtypes[k]!, dims: info.shape, data: hostValues(backend, info) };
  });
  const { y } = session.run(feeds, ['y']);
  return backend.makeTensorInfo([...y!.dims], outDtype, y!.data as Float32Array);
}

/** Sessions built so far (for tests and the bench's report). */
export function nativeKernelSessionCount(): number {
  return sessions.size;
}
