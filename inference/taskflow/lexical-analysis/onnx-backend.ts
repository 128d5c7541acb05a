/**
 * LAC on ONNX Runtime: the network is assembled in memory as an ONNX graph (Gather → 2 ×
 * bidirectional GRU → MatMul) from our weights and run by `onnxruntime-node` on the CPU.
 *
 * Mapping PaddlePaddle's GRU onto ONNX's: gate order is the same (update z, reset r, hidden h) and
 * `linear_before_reset = 0` applies r before the recurrent product as Paddle does, but ONNX updates
 * `H = (1-z)·c + z·H'` while Paddle updates `H = (1-u)·H' + u·c`. Negating the update gate's
 * weights and bias gives `z = σ(-a) = 1-u`, which makes the two identical.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { log } from '../../../framework/log.js';
import type { LacBackend } from './backend.js';
import { GraphBuilder } from '../../../framework/onnx/graph.js';
import { OnnxType } from '../../../framework/onnx/proto.js';
import type { GruDirection, LacWeights } from './weights.js';

type Ort = typeof import('onnxruntime-node');

/** Transposes a row-major [rows, cols] block into `out` at `at`, optionally negated. */
function transposeInto(
  src: Float32Array,
  rows: number,
  cols: number,
  colFrom: number,
  colTo: number,
  out: Float32Array,
  at: number,
  sign: number,
): void {
  for (let c = colFrom; c < colTo; c++) {
    for (let r = 0; r < rows; r++) out[at + (c - colFrom) * rows + r] = sign * src[r * cols + c]!;
  }
}

/** ONNX GRU W [2, 3H, in], R [2, 3H, H], B [2, 6H] from the two Paddle directions. */
function gruInitializers(
  g: GraphBuilder,
  prefix: string,
  dirs: readonly GruDirection[],
  inDim: number,
  h: number,
): string[] {
  const W = new Float32Array(2 * 3 * h * inDim);
  const R = new Float32Array(2 * 3 * h * h);
  const B = new Float32Array(2 * 6 * h);
  dirs.forEach((g, d) => {
    for (let gate = 0; gate < 3; gate++) {
      const sign = gate === 0 ? -1 : 1;
      transposeInto(g.inputWeight, inDim, 3 * h, gate * h, (gate + 1) * h, W, (d * 3 + gate) * h * inDim, sign);
      if (gate < 2) transposeInto(g.gateWeight, h, 2 * h, gate * h, (gate + 1) * h, R, (d * 3 + gate) * h * h, sign);
      else transposeInto(g.candidateWeight, h, h, 0, h, R, (d * 3 + 2) * h * h, 1);
      for (let j = 0; j < h; j++) B[d * 6 * h + gate * h + j] = sign * g.inputBias[gate * h + j]!;
    }
  });
  return [
    g.init(`${prefix}.W`, [2, 3 * h, inDim], W),
    g.init(`${prefix}.R`, [2, 3 * h, h], R),
    g.init(`${prefix}.B`, [2, 6 * h], B),
  ];
}

/**
 * Serialises the LAC network (without the CRF) as an ONNX model: inputs `ids` int64 [B, T] and
 * `lengths` int32 [B], output `emissions` float [B, T, numTags].
 * @example
 * buildLacOnnx(weights).byteLength; // 11.9 MB for lac_small
 */
export function buildLacOnnx(w: LacWeights): Uint8Array {
  const { vocabSize, embeddingDim: e, hiddenDim: h, numTags } = w.config;
  const g = new GraphBuilder('lac', { '': 17 });
  const ids = g.input('ids', OnnxType.INT64, ['batch', 'time']);
  const lengths = g.input('lengths', OnnxType.INT32, ['batch']);
  const embedding = g.init('embedding', [vocabSize, e], w.embedding);
  const mergeShape = g.ints('merge_shape', [0, 0, 2 * h]);
  let x = g.op('Transpose', [g.op('Gather', [embedding, ids], { attributes: { axis: 0 } })], {
    attributes: { perm: [1, 0, 2] },
  });
  w.layers.forEach((layer, i) => {
    const [W, R, B] = gruInitializers(g, `gru${i}`, [layer.forward, layer.backward], i === 0 ? e : 2 * h, h);
    const y = g.op('GRU', [x, W, R, B, lengths], {
      attributes: { hidden_size: h, direction: 'bidirectional', linear_before_reset: 0 },
    });
    const yt = g.op('Transpose', [y], { attributes: { perm: [0, 2, 1, 3] } }); // [T, 2, B, H] → [T, B, 2, H]
    x = g.op('Reshape', [yt, mergeShape]); // → [T, B, 2H]
  });
  const features = g.op('Transpose', [x], { attributes: { perm: [1, 0, 2] } });
  const scores = g.op('MatMul', [features, g.init('emission.weight', [2 * h, numTags], w.emissionWeight)]);
  g.op('Add', [scores, g.init('emission.bias', [numTags], w.emissionBias)], { names: ['emissions'] });
  g.output('emissions', OnnxType.FLOAT, ['batch', 'time', numTags]);
  return g.encode();
}

/** Loads `onnxruntime-node` if it is installed and its native binding loads; otherwise undefined. */
export async function loadOrt(): Promise<Ort | undefined> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    log.warn(
      `onnxruntime-node unavailable (${(error as Error).message.split('\n')[0]}); ` +
        'LAC falls back to the TypeScript kernels',
    );
    return undefined;
  }
}

/**
 * The ONNX Runtime backend; pads each batch to its longest sequence.
 * @example
 * const backend = await OnnxLacBackend.create(weights, { threads: 1 });
 * backend.kind; // 'onnx'
 */
export class OnnxLacBackend implements LacBackend {
  readonly kind = 'onnx';

  private constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    private readonly numTags: number,
  ) {}

  /** Releases the ORT session (before a worker thread exits: native teardown mid-session can abort the process). */
  async release(): Promise<void> {
    await this.session.release();
  }

  /** Builds the graph and an ORT session (`threads` = intra-op threads; default 1). Undefined without ORT. */
  static async create(w: LacWeights, options: { threads?: number } = {}): Promise<OnnxLacBackend | undefined> {
    const ort = await loadOrt();
    if (!ort) return undefined;
    const session = await ort.InferenceSession.create(buildLacOnnx(w), {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
    return new OnnxLacBackend(ort, session, w.config.numTags);
  }

  async emissions(ids: Int32Array, offsets: Int32Array): Promise<Float32Array> {
    const batch = offsets.length - 1;
    let longest = 0;
    for (let b = 0; b < batch; b++) longest = Math.max(longest, offsets[b + 1]! - offsets[b]!);
    const L = this.numTags;
    const out = new Float32Array(ids.length * L);
    if (longest === 0) return out;
    const padded = new BigInt64Array(batch * longest);
    const lengths = new Int32Array(batch);
    for (let b = 0; b < batch; b++) {
      lengths[b] = offsets[b + 1]! - offsets[b]!;
      for (let t = 0; t < lengths[b]!; t++) padded[b * longest + t] = BigInt(ids[offsets[b]! + t]!);
    }
    const result = await this.session.run({
      ids: new this.ort.Tensor('int64', padded, [batch, longest]),
      lengths: new this.ort.Tensor('int32', lengths, [batch]),
    });
    const scores = result['emissions']!.data as Float32Array;
    for (let b = 0; b < batch; b++)
      out.set(scores.subarray(b * longest * L, (b * longest + lengths[b]!) * L), offsets[b]! * L);
    return out;
  }
}
