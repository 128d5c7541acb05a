/**
 * One post-LN BERT encoder layer (`BertModel.layer` in bert.ts) emitted as ONNX nodes: the one ONNX forward of the
 * layer that both the fused training graph (`bert-layer-graphs.ts`) and the exported encoder's standard-op layers
 * (`bert-graph.ts`) build on. What differs between them is passed in: how a projection and a LayerNorm parameter
 * become graph values (graph inputs for training; initializers, float16 or int8 for export), whether ORT's contrib
 * ops may be used, the dropout keep-masks and whether the LayerNorms also return their statistics.
 */
import { type GraphBuilder, MS_DOMAIN } from '../onnx/graph.js';
import type { BertConfig, HiddenAct } from './config.js';

/** What a layer's graph depends on besides the batch shape. */
export interface LayerGraphSpec {
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly act: HiddenAct;
  readonly eps: number;
}

/** The layer spec of a model config. */
export function layerSpec(c: BertConfig): LayerGraphSpec {
  return {
    hidden: c.hiddenSize,
    heads: c.numAttentionHeads,
    intermediate: c.intermediateSize,
    act: c.hiddenAct,
    eps: c.layerNormEps,
  };
}

/** A projection of the layer by its parameter prefix (`attention.self.query`, …, `output.dense`). */
export type LayerProjection =
  | 'attention.self.query'
  | 'attention.self.key'
  | 'attention.self.value'
  | 'attention.output.dense'
  | 'intermediate.dense'
  | 'output.dense';

/** How one layer is emitted. */
export interface EncoderLayerOptions {
  /** x·W + b of the named projection for x [B, T, in]. */
  readonly linear: (x: string, name: LayerProjection) => string;
  /** A LayerNorm parameter (`attention.output.LayerNorm.weight`, …) as a graph value. */
  readonly param: (name: string) => string;
  /**
   * Use ORT's `com.microsoft` ops (FusedMatMul for the scaled scores, Gelu/FastGelu): the training graph. Without,
   * standard opset-17 ops only (MatMul + Mul, GELU decomposed into Erf or Tanh), as a generic exporter writes.
   */
  readonly contrib: boolean;
  /** Dropout keep-masks, already scaled by 1/(1−p): attention probs [B, nh, T, T], attention output, FFN output. */
  readonly masks?: readonly [string, string, string];
  /** Also return each LayerNorm's mean and 1/σ (the training backward needs them). */
  readonly stats?: boolean;
}

/** The layer's output and the activations a backward pass reads (`mean*`/`inv*`: '' unless `stats`). */
export interface EncoderLayerValues {
  readonly y: string;
  readonly qh: string;
  /** K split into heads: [B, nh, T, hd] with `contrib`, [B, nh, hd, T] (already transposed) without. */
  readonly kh: string;
  readonly vh: string;
  readonly probs: string;
  readonly ctx: string;
  readonly s1: string;
  readonly mean1: string;
  readonly inv1: string;
  readonly h1: string;
  readonly pre: string;
  readonly inter: string;
  readonly s2: string;
  readonly mean2: string;
  readonly inv2: string;
}

const HEADS_PERM = [0, 2, 1, 3];

/**
 * Emits one layer on x [B, T, H] with the additive attention mask [B, 1, 1, T]; the output is [B, T, H].
 * @example
 * const g = new GraphBuilder('layer');
 * const { y } = emitEncoderLayer(g, spec, x, maskBias, { linear, param, contrib: false });
 * g.nodes.length; // → 34 with erf-GELU and plain MatMul + Add projections
 */
export function emitEncoderLayer(
  g: GraphBuilder,
  spec: LayerGraphSpec,
  x: string,
  maskBias: string,
  options: EncoderLayerOptions,
): EncoderLayerValues {
  const headDim = spec.hidden / spec.heads;
  const { linear, contrib, masks } = options;
  const drop = (t: string, k: number) => (masks ? g.op('Mul', [t, masks[k]!]) : t);
  const split = g.ints('split_heads', [0, 0, spec.heads, headDim]);
  const project = (name: LayerProjection, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [linear(x, name), split])], { attributes: { perm } });
  const qh = project('attention.self.query', HEADS_PERM);
  // Standard MatMul has no transB: K is transposed with the head split instead.
  const kh = project('attention.self.key', contrib ? HEADS_PERM : [0, 2, 3, 1]);
  const vh = project('attention.self.value', HEADS_PERM);
  const scale = 1 / Math.sqrt(headDim);
  const scaled = contrib
    ? g.op('FusedMatMul', [qh, kh], { domain: MS_DOMAIN, attributes: { transB: 1, alpha: { float: scale } } })
    : g.op('Mul', [g.op('MatMul', [qh, kh]), g.scalar('attn_scale', scale)]);
  const probs = g.op('Softmax', [g.op('Add', [scaled, maskBias])], { attributes: { axis: -1 } });
  const ctx = g.op('Reshape', [
    g.op('Transpose', [g.op('MatMul', [drop(probs, 0), vh])], { attributes: { perm: HEADS_PERM } }),
    g.ints('merge_heads', [0, 0, spec.hidden]),
  ]);
  const norm = (s: string, prefix: string) => {
    const [y, mean = '', inv = ''] = g.opMulti(
      'LayerNormalization',
      [s, options.param(`${prefix}.weight`), options.param(`${prefix}.bias`)],
      {
        outputs: options.stats ? 3 : 1,
        attributes: { axis: -1, epsilon: { float: spec.eps } },
      },
    );
    return [y!, mean, inv] as const;
  };
  const s1 = g.op('Add', [drop(linear(ctx, 'attention.output.dense'), 1), x]);
  const [h1, mean1, inv1] = norm(s1, 'attention.output.LayerNorm');
  const pre = linear(h1, 'intermediate.dense');
  const inter = contrib ? contribActivation(g, spec.act, pre) : standardActivation(g, spec.act, pre);
  const s2 = g.op('Add', [drop(linear(inter, 'output.dense'), 2), h1]);
  const [y, mean2, inv2] = norm(s2, 'output.LayerNorm');
  return { y, qh, kh, vh, probs, ctx, s1, mean1, inv1, h1, pre, inter, s2, mean2, inv2 };
}

/** The activation as ORT's contrib kernels (Gelu is erf-exact; FastGelu the tanh form). */
function contribActivation(g: GraphBuilder, act: HiddenAct, x: string): string {
  if (act === 'relu') return g.op('Relu', [x]);
  return g.op(act === 'gelu' ? 'Gelu' : 'FastGelu', [x], { domain: MS_DOMAIN });
}

/** The activation in standard ops: 0.5x(1 + erf(x/√2)), or the tanh form for `gelu_new`. */
function standardActivation(g: GraphBuilder, act: HiddenAct, x: string): string {
  if (act === 'relu') return g.op('Relu', [x]);
  const half = g.op('Mul', [x, g.scalar('half', 0.5)]);
  if (act === 'gelu') {
    const erf = g.op('Erf', [g.op('Div', [x, g.scalar('sqrt2', Math.SQRT2)])]);
    return g.op('Mul', [half, g.op('Add', [erf, g.scalar('one', 1)])]);
  }
  const cube = g.op('Mul', [g.op('Pow', [x, g.scalar('three', 3)]), g.scalar('gelu_c', 0.044715)]);
  const inner = g.op('Mul', [g.op('Add', [x, cube]), g.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))]);
  return g.op('Mul', [half, g.op('Add', [g.op('Tanh', [inner]), g.scalar('one', 1)])]);
}
