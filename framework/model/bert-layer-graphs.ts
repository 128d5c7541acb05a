/**
 * One BERT encoder layer (post-LN, as `BertModel.layer`) as two ONNX graphs for the native backend: a forward
 * graph that also returns the activations its backward needs, and a backward graph that maps the output gradient
 * to the input's and every parameter's. FasterTransformer's idea applied to training: a layer costs two ORT
 * calls instead of ~60 tfjs kernels each way. The gradients are the closed forms of each step (checked against
 * tfjs autodiff of `BertModel.layer` in `fused-layer.test.ts`).
 */
import { GraphBuilder, MS_DOMAIN } from '../onnx/graph.js';
import { OnnxType } from '../onnx/proto.js';
import type { HiddenAct } from './config.js';
import { emitEncoderLayer, type LayerGraphSpec, type LayerProjection } from './encoder-layer.js';

/** Parameter suffixes (after `encoder.layer.i.`) in the order the graphs take them. */
export const LAYER_PARAMS = [
  'attention.self.query.weight',
  'attention.self.query.bias',
  'attention.self.key.weight',
  'attention.self.key.bias',
  'attention.self.value.weight',
  'attention.self.value.bias',
  'attention.output.dense.weight',
  'attention.output.dense.bias',
  'attention.output.LayerNorm.weight',
  'attention.output.LayerNorm.bias',
  'intermediate.dense.weight',
  'intermediate.dense.bias',
  'output.dense.weight',
  'output.dense.bias',
  'output.LayerNorm.weight',
  'output.LayerNorm.bias',
] as const;
/** The layer's parameters as graph inputs, in feed order (the fused layer feeds them in this order too). */
export const PARAM_INPUTS = [
  'wq',
  'bq',
  'wk',
  'bk',
  'wv',
  'bv',
  'wo',
  'bo',
  'g1',
  'be1',
  'wi',
  'bi',
  'wf',
  'bf',
  'g2',
  'be2',
] as const;

/** Activations the training forward returns for the backward graph, in order. */
export const SAVED = [
  'qh',
  'kh',
  'vh',
  'probs',
  'ctx',
  's1',
  'mean1',
  'inv1',
  'h1',
  'pre',
  'inter',
  's2',
  'mean2',
  'inv2',
] as const;

const F = OnnxType.FLOAT;
const BTH = ['B', 'T', 'H'];

function paramDims(spec: LayerGraphSpec): number[][] {
  const { hidden: h, intermediate: f } = spec;
  return [[h, h], [h], [h, h], [h], [h, h], [h], [h, h], [h], [h], [h], [h, f], [f], [f, h], [h], [h], [h]];
}

/** d act(x) / dx, elementwise. */
function activationGrad(g: GraphBuilder, act: HiddenAct, x: string): string {
  const c = (v: number) => g.scalar('c', v);
  if (act === 'relu') return g.op('Cast', [g.op('Greater', [x, c(0)])], { attributes: { to: F } });
  if (act === 'gelu') {
    // Φ(x) + x·φ(x) = 0.5·(1 + erf(x/√2)) + x·exp(−x²/2)/√(2π)
    const cdf = g.op('Mul', [g.op('Add', [g.op('Erf', [g.op('Mul', [x, c(Math.SQRT1_2)])]), c(1)]), c(0.5)]);
    const pdf = g.op('Mul', [
      g.op('Exp', [g.op('Mul', [g.op('Mul', [x, x]), c(-0.5)])]),
      c(1 / Math.sqrt(2 * Math.PI)),
    ]);
    return g.op('Add', [cdf, g.op('Mul', [x, pdf])]);
  }
  // tanh form: u = k(x + 0.044715x³), t = tanh u; d = 0.5(1 + t) + 0.5x(1 − t²)·k(1 + 3·0.044715x²)
  const k = Math.sqrt(2 / Math.PI);
  const x2 = g.op('Mul', [x, x]);
  const t = g.op('Tanh', [g.op('Mul', [g.op('Mul', [x, g.op('Add', [g.op('Mul', [x2, c(0.044715)]), c(1)])]), c(k)])]);
  const du = g.op('Mul', [
    g.op('Add', [g.op('Mul', [x2, c(3 * 0.044715 * k)]), c(k)]),
    g.op('Sub', [c(1), g.op('Mul', [t, t])]),
  ]);
  return g.op('Add', [g.op('Mul', [g.op('Add', [t, c(1)]), c(0.5)]), g.op('Mul', [g.op('Mul', [x, du]), c(0.5)])]);
}

/** [B, T, H] → [B, nh, T, hd] */
function splitHeads(g: GraphBuilder, x: string, spec: LayerGraphSpec): string {
  const shape = g.ints('heads_shape', [0, 0, spec.heads, spec.hidden / spec.heads]);
  return g.op('Transpose', [g.op('Reshape', [x, shape])], { attributes: { perm: [0, 2, 1, 3] } });
}

/** [B, nh, T, hd] → [B, T, H] */
function mergeHeads(g: GraphBuilder, x: string, spec: LayerGraphSpec): string {
  return g.op('Reshape', [
    g.op('Transpose', [x], { attributes: { perm: [0, 2, 1, 3] } }),
    g.ints('merged_shape', [0, 0, spec.hidden]),
  ]);
}

/**
 * The forward graph: {@link emitEncoderLayer} on graph inputs, with ORT's contrib ops. `dropout`: takes keep-masks
 * (already scaled by 1/(1−p)) `mask_attn` [B, nh, T, T], `mask_attn_out` and `mask_ffn_out` [B, T, H]. `save`: also
 * outputs {@link SAVED}.
 */
export function layerForwardGraph(spec: LayerGraphSpec, options: { dropout: boolean; save: boolean }): Uint8Array {
  const g = new GraphBuilder('bert-layer-forward');
  const x = g.input('x', F, BTH);
  const maskBias = g.input('mask_bias', F, ['B', 1, 1, 'T']);
  const masks = options.dropout
    ? ([
        g.input('mask_attn', F, ['B', spec.heads, 'T', 'T']),
        g.input('mask_attn_out', F, BTH),
        g.input('mask_ffn_out', F, BTH),
      ] as const)
    : undefined;
  const dims = paramDims(spec);
  const inputs = new Map(LAYER_PARAMS.map((name, i) => [name as string, g.input(PARAM_INPUTS[i]!, F, dims[i]!)]));
  const param = (name: string) => inputs.get(name)!;
  const linear = (input: string, name: LayerProjection) =>
    g.op('Add', [g.op('MatMul', [input, param(`${name}.weight`)]), param(`${name}.bias`)]);
  const values = emitEncoderLayer(g, spec, x, maskBias, {
    linear,
    param,
    contrib: true,
    stats: true,
    ...(masks ? { masks } : {}),
  });
  g.nodes.push({ op: 'Identity', inputs: [values.y], outputs: ['y'], name: 'y' });
  g.output('y', F, BTH);
  if (options.save) {
    for (const name of SAVED) {
      g.nodes.push({ op: 'Identity', inputs: [values[name]], outputs: [`saved_${name}`], name: `saved_${name}` });
      g.output(`saved_${name}`, F);
    }
  }
  return g.encode();
}

/** LayerNorm backward: returns [dx, dγ, dβ] for output gradient dy, input s, its mean and 1/σ, and γ. */
function layerNormGrad(
  g: GraphBuilder,
  dy: string,
  s: string,
  mean: string,
  inv: string,
  gamma: string,
): [string, string, string] {
  const xh = g.op('Mul', [g.op('Sub', [s, mean]), inv]);
  const rows = g.ints('rows', [0, 1]);
  const dGamma = g.op('ReduceSum', [g.op('Mul', [dy, xh]), rows], { attributes: { keepdims: 0 } });
  const dBeta = g.op('ReduceSum', [dy, rows], { attributes: { keepdims: 0 } });
  const gdy = g.op('Mul', [dy, gamma]);
  const meanG = g.op('ReduceMean', [gdy], { attributes: { axes: [-1], keepdims: 1 } });
  const meanGx = g.op('ReduceMean', [g.op('Mul', [gdy, xh])], { attributes: { axes: [-1], keepdims: 1 } });
  const dx = g.op('Mul', [inv, g.op('Sub', [g.op('Sub', [gdy, meanG]), g.op('Mul', [xh, meanGx])])]);
  return [dx, dGamma, dBeta];
}

/** Gradients of a linear layer y = x·W + b given dy: [dx (without residuals), dW, db]. */
function linearGrad(
  g: GraphBuilder,
  x: string,
  w: string,
  dy: string,
  inDim: number,
  outDim: number,
): [string, string, string] {
  const x2 = g.op('Reshape', [x, g.ints('flat_in', [-1, inDim])]);
  const dy2 = g.op('Reshape', [dy, g.ints('flat_out', [-1, outDim])]);
  const dW = g.op('Gemm', [x2, dy2], { attributes: { transA: 1 } });
  const db = g.op('ReduceSum', [dy2, g.ints('axis0', [0])], { attributes: { keepdims: 0 } });
  const dx = g.op('FusedMatMul', [dy, w], { domain: MS_DOMAIN, attributes: { transB: 1, alpha: { float: 1 } } });
  return [dx, dW, db];
}

/** Output names of the backward graph: `dx`, then one per {@link LAYER_PARAMS} entry. */
export const BACKWARD_OUTPUTS = ['dx', ...PARAM_INPUTS.map((n) => `d_${n}`)] as const;

/** The backward graph: inputs `dy`, `x`, the masks (when `dropout`), `saved_*`, and the weights it needs. */
export function layerBackwardGraph(spec: LayerGraphSpec, options: { dropout: boolean }): Uint8Array {
  const g = new GraphBuilder('bert-layer-backward');
  const { hidden: h, intermediate: f } = spec;
  const scale = 1 / Math.sqrt(h / spec.heads);
  const dy = g.input('dy', F, BTH);
  const x = g.input('x', F, BTH);
  const masks = options.dropout
    ? [
        g.input('mask_attn', F, ['B', spec.heads, 'T', 'T']),
        g.input('mask_attn_out', F, BTH),
        g.input('mask_ffn_out', F, BTH),
      ]
    : [];
  const sv = Object.fromEntries(SAVED.map((n) => [n, g.input(`saved_${n}`, F)])) as Record<
    (typeof SAVED)[number],
    string
  >;
  const dims = paramDims(spec);
  const p = Object.fromEntries(
    PARAM_INPUTS.map((n, i) => [n, n.startsWith('w') || n.startsWith('g') ? g.input(n, F, dims[i]!) : '']),
  ) as Record<(typeof PARAM_INPUTS)[number], string>;
  const drop = (t: string, k: number) => (options.dropout ? g.op('Mul', [t, masks[k]!]) : t);

  const [ds2, dg2, dbe2] = layerNormGrad(g, dy, sv.s2, sv.mean2, sv.inv2, p.g2);
  const [dInter, dwf, dbf] = linearGrad(g, sv.inter, p.wf, drop(ds2, 2), f, h);
  const dPre = g.op('Mul', [dInter, activationGrad(g, spec.act, sv.pre)]);
  const [dh1FromFfn, dwi, dbi] = linearGrad(g, sv.h1, p.wi, dPre, h, f);
  const [ds1, dg1, dbe1] = layerNormGrad(g, g.op('Add', [dh1FromFfn, ds2]), sv.s1, sv.mean1, sv.inv1, p.g1);
  const [dCtx, dwo, dbo] = linearGrad(g, sv.ctx, p.wo, drop(ds1, 1), h, h);
  const dCtxH = splitHeads(g, dCtx, spec);
  const dProbsDropped = g.op('FusedMatMul', [dCtxH, sv.vh], {
    domain: MS_DOMAIN,
    attributes: { transB: 1, alpha: { float: 1 } },
  });
  const dVh = g.op('FusedMatMul', [drop(sv.probs, 0), dCtxH], {
    domain: MS_DOMAIN,
    attributes: { transA: 1, alpha: { float: 1 } },
  });
  const dProbs = drop(dProbsDropped, 0);
  const rowDot = g.op('ReduceSum', [g.op('Mul', [dProbs, sv.probs]), g.ints('last', [-1])], {
    attributes: { keepdims: 1 },
  });
  const dScores = g.op('Mul', [sv.probs, g.op('Sub', [dProbs, rowDot])]);
  const dQh = g.op('FusedMatMul', [dScores, sv.kh], { domain: MS_DOMAIN, attributes: { alpha: { float: scale } } });
  const dKh = g.op('FusedMatMul', [dScores, sv.qh], {
    domain: MS_DOMAIN,
    attributes: { transA: 1, alpha: { float: scale } },
  });
  const [dxq, dwq, dbq] = linearGrad(g, x, p.wq, mergeHeads(g, dQh, spec), h, h);
  const [dxk, dwk, dbk] = linearGrad(g, x, p.wk, mergeHeads(g, dKh, spec), h, h);
  const [dxv, dwv, dbv] = linearGrad(g, x, p.wv, mergeHeads(g, dVh, spec), h, h);
  const dx = g.op('Sum', [ds1, dxq, dxk, dxv]);
  const grads = [dx, dwq, dbq, dwk, dbk, dwv, dbv, dwo, dbo, dg1, dbe1, dwi, dbi, dwf, dbf, dg2, dbe2];
  grads.forEach((value, i) => {
    g.nodes.push({ op: 'Identity', inputs: [value], outputs: [BACKWARD_OUTPUTS[i]!], name: BACKWARD_OUTPUTS[i]! });
    g.output(BACKWARD_OUTPUTS[i]!, F);
  });
  return g.encode();
}
