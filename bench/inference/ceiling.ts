/**
 * The machine's ceiling for the inference benchmark: how many GFLOP/s one large matrix product reaches in
 * ONNX Runtime on this CPU at the benchmark's thread count, in FP32 (MatMul) and INT8
 * (DynamicQuantizeMatMul, the kernel our INT8 graphs use). An encoder is almost all matrix products, so no
 * engine can score texts faster than `ceiling / FLOPs per text`; the benchmark states every engine's rate
 * as a share of it, which says how far a goal such as "FP32 ≥ 3× PyTorch" can be reached at all.
 */
import * as ort from 'onnxruntime-node';
import { quantizeColumns } from '../../framework/onnx/quantize.js';
import { GraphBuilder, MS_DOMAIN } from '../../framework/onnx/graph.js';
import { OnnxType } from '../../framework/onnx/proto.js';

/** FLOPs (multiply + add = 2) of one text through a BERT encoder: dense layers plus the two attention products. */
export function encoderFlopsPerText(
  c: { numHiddenLayers: number; hiddenSize: number; intermediateSize: number },
  seq: number,
): number {
  const h = c.hiddenSize;
  const dense = 4 * h * h + 2 * h * c.intermediateSize; // Q, K, V, output; FFN in and out
  const attention = 2 * seq * h; // scores Q·Kᵀ and the weighted sum, per token
  return c.numHiddenLayers * seq * 2 * (dense + attention);
}

export interface MatMulShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}
export interface MatMulRate extends MatMulShape {
  readonly fp32Gflops: number;
  readonly int8Gflops: number;
}
/** The best rate per precision over {@link CEILING_SHAPES}, and every shape's rates. */
export interface Ceiling {
  readonly fp32Gflops: number;
  readonly int8Gflops: number;
  readonly shapes: readonly MatMulRate[];
}

/**
 * The encoder's products (rows = texts × tokens): base-size QKV/output, FFN in and out, and the small
 * model's FFN. Outputs stay ≤ 12.6 MB: a 50 MB output is allocated afresh every run and its page faults
 * cost a quarter of the rate, which would understate the ceiling.
 */
export const CEILING_SHAPES: readonly MatMulShape[] = [
  { m: 1024, k: 768, n: 768 },
  { m: 1024, k: 768, n: 3072 },
  { m: 1024, k: 3072, n: 768 },
  { m: 256, k: 768, n: 768 },
  { m: 1024, k: 256, n: 1024 },
];

/** The machine's ceiling: the best rate of each precision over `shapes` (each measured by {@link matmulRate}). */
export async function matmulCeiling(
  threads: number,
  shapes: readonly MatMulShape[] = CEILING_SHAPES,
  seconds = 1,
): Promise<Ceiling> {
  const rates: MatMulRate[] = [];
  for (const shape of shapes) rates.push(await matmulRate(threads, shape, seconds));
  return {
    fp32Gflops: Math.max(...rates.map((r) => r.fp32Gflops)),
    int8Gflops: Math.max(...rates.map((r) => r.int8Gflops)),
    shapes: rates,
  };
}

/**
 * Best-of-runs GFLOP/s of an [m, k]·[k, n] product in each
 * precision, `seconds` each after a warm-up, spinning thread pool.
 */
export async function matmulRate(threads: number, shape: MatMulShape, seconds = 1): Promise<MatMulRate> {
  const { m, k, n } = shape;
  const w = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i) * 0.05);
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: m * k }, (_, i) => Math.cos(i)),
    [m, k],
  );
  const rate = async (int8: boolean): Promise<number> => {
    const g = new GraphBuilder('ceiling');
    const input = g.input('x', OnnxType.FLOAT, [m, k]);
    if (int8) {
      const q = quantizeColumns(w, k, n);
      g.op('DynamicQuantizeMatMul', [input, g.init('w', [k, n], q.values), g.init('s', [n], q.scales)], {
        domain: MS_DOMAIN,
        names: ['y'],
      });
    } else {
      g.op('MatMul', [input, g.init('w', [k, n], w)], { names: ['y'] });
    }
    g.output('y', OnnxType.FLOAT, [m, n]);
    const session = await ort.InferenceSession.create(g.encode(), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'basic',
      executionProviders: ['cpu'],
    });
    await session.run({ x });
    let best = Infinity;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const t0 = performance.now();
      await session.run({ x });
      best = Math.min(best, performance.now() - t0);
    }
    await session.release();
    return (2 * m * k * n) / (best / 1000) / 1e9;
  };
  return { m, k, n, fp32Gflops: +(await rate(false)).toFixed(1), int8Gflops: +(await rate(true)).toFixed(1) };
}
