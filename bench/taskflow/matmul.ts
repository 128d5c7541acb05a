/**
 * The machine's arithmetic ceiling for LAC: ONNX Runtime's single-threaded MatMul throughput on
 * LAC-shaped products, and LAC's FLOPs per character from its config.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { GraphBuilder } from '../../framework/onnx/graph.js';
import { OnnxType } from '../../framework/onnx/proto.js';
import type { LacWeights } from '../../inference/taskflow/lexical-analysis/weights.js';

/**
 * Multiply-adds × 2 per character: both GRU directions of every layer (input and recurrent
 * products, 3 gates each) plus the emission layer.
 * @example
 * lacFlopsPerChar(weights); // 1012224 for lac_small
 */
export function lacFlopsPerChar(w: LacWeights): number {
  const { embeddingDim: e, hiddenDim: h, layers, numTags } = w.config;
  let flops = 0;
  for (let l = 0; l < layers; l++) flops += 2 * 2 * 3 * h * ((l === 0 ? e : 2 * h) + h);
  return flops + 2 * 2 * h * numTags;
}

/**
 * GFLOP per CPU-second of one `[m, k] × [k, n]` MatMul on a one-thread ORT session, best of a few
 * rounds. CPU time, not wall time, so that sharing the cores with other processes does not lower it.
 * @example
 * await matMulGflops(1024, 256, 384); // e.g. 60
 */
export async function matMulGflops(m: number, k: number, n: number, seconds = 0.5): Promise<number> {
  const ort = await import('onnxruntime-node');
  const g = new GraphBuilder('matmul', { '': 17 });
  const a = g.input('a', OnnxType.FLOAT, [m, k]);
  const b = g.init(
    'b',
    [k, n],
    Float32Array.from({ length: k * n }, (_, i) => Math.sin(i)),
  );
  g.op('MatMul', [a, b], { names: ['c'] });
  g.output('c', OnnxType.FLOAT, [m, n]);
  const session: InferenceSession = await ort.InferenceSession.create(g.encode(), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const feeds = {
    a: new ort.Tensor(
      'float32',
      Float32Array.from({ length: m * k }, (_, i) => Math.cos(i)),
      [m, k],
    ),
  };
  await session.run(feeds);
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let runs = 0;
    const start = performance.now();
    const cpu = process.cpuUsage();
    while (performance.now() - start < (seconds * 1000) / 3) {
      await session.run(feeds);
      runs++;
    }
    const used = process.cpuUsage(cpu);
    best = Math.max(best, (2 * m * k * n * runs) / ((used.user + used.system) / 1e6) / 1e9);
  }
  await session.release();
  return best;
}
