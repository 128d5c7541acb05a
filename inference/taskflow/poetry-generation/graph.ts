/**
 * The GPT of `gpt.ts` as one ONNX graph with a key/value cache: past keys/values are
 * graph inputs and the extended ones graph outputs, so a decoding step is one runtime call on one new
 * token per row. Standard opset-17 operators only (Q/K/V as one MatMul + Split, LayerNormalization,
 * erf GELU, the tied LM head as Gemm with transB); the output is the logits at each row's last position.
 *
 * Inputs: `input_ids`, `position_ids` int32 [batch, seq]; `attention_mask` int32 [batch, past + seq];
 * `past_key_i`, `past_value_i` float [batch, heads, past, headDim] (past may be 0).
 * Outputs: `logits` [batch, vocab]; `present_key_i`, `present_value_i` [batch, heads, past + seq, headDim].
 */
import { writeFileSync } from 'node:fs';
import type { GptConfig } from './gpt-config.js';
import { readGptDir } from './gpt-dir.js';
import { GraphBuilder } from '../../../framework/onnx/graph.js';
import { OnnxType } from '../../../framework/onnx/proto.js';
import { concatColumns, WeightReader } from '../../../framework/onnx/weights.js';

/** Graph input/output names of layer i's cache. */
export const cacheNames = (i: number) => ({
  pastKey: `past_key_${i}`,
  pastValue: `past_value_${i}`,
  presentKey: `present_key_${i}`,
  presentValue: `present_value_${i}`,
});

/**
 * Builds the cached-decoding graph from a GPT's weights (canonical names, Linear weights [out, in]).
 * @example
 * const bytes = buildGptGraph(config, new WeightReader(model.stateDict()));
 * const session = await ort.InferenceSession.create(bytes);
 */
export function buildGptGraph(c: GptConfig, w: WeightReader): Uint8Array {
  const g = new GraphBuilder('fewprompt-gpt');
  const parts: GraphParts = { g, c, w };
  const ids = g.input('input_ids', OnnxType.INT32, ['batch', 'seq']);
  const positions = g.input('position_ids', OnnxType.INT32, ['batch', 'seq']);
  const mask = g.input('attention_mask', OnnxType.INT32, ['batch', 'total']);

  g.scope = 'mask/';
  const { seq, one, bias } = attentionBias(g, ids, mask);

  g.scope = 'embeddings/';
  const wte = w.get('wte.weight');
  const wteName = g.init('wte.weight', wte.shape, wte.data);
  const wpe = w.get('wpe.weight');
  let x = g.op('Add', [
    g.op('Gather', [wteName, ids]),
    g.op('Gather', [g.init('wpe.weight', wpe.shape, wpe.data), positions]),
  ]);
  if (c.normalization === 'post') x = norm(parts, x, 'ln_emb');

  const shapes: HeadShapes = {
    splitHeads: g.ints('split_heads', [0, 0, c.numHeads, c.hiddenSize / c.numHeads]),
    mergeHeads: g.ints('merge_heads', [0, 0, c.hiddenSize]),
    qkvSplit: g.ints('qkv_split', [c.hiddenSize, c.hiddenSize, c.hiddenSize]),
  };
  for (let i = 0; i < c.numLayers; i++) {
    g.scope = `layer.${i}/`;
    x = decoderLayer(parts, i, x, bias, shapes);
  }
  g.scope = 'head/';
  if (c.normalization === 'pre') x = norm(parts, x, 'ln_f');
  const last = g.op('Gather', [x, g.op('Sub', [seq, one])], { attributes: { axis: 1 } }); // [batch, hidden]
  g.op('Gemm', [last, wteName, g.init('lm_head.bias', [c.vocabSize], w.get('lm_head.bias').data)], {
    attributes: { transB: 1 },
    names: ['logits'],
  });
  g.output('logits', OnnxType.FLOAT, ['batch', c.vocabSize]);
  return g.encode({ producerVersion: 'fewprompt' });
}

/** What every part of the graph is built from: the builder, the config and the weights. */
interface GraphParts {
  readonly g: GraphBuilder;
  readonly c: GptConfig;
  readonly w: WeightReader;
}

/** Shape constants shared by all layers: [batch, seq, hidden] ↔ [batch, seq, heads, headDim], Q/K/V split sizes. */
interface HeadShapes {
  readonly splitHeads: string;
  readonly mergeHeads: string;
  readonly qkvSplit: string;
}

const scalar64 = (g: GraphBuilder, name: string, v: number) => g.init(name, [], BigInt64Array.of(BigInt(v)));

function norm({ g, c, w }: GraphParts, x: string, name: string): string {
  return g.op(
    'LayerNormalization',
    [
      x,
      g.init(`${name}.weight`, [c.hiddenSize], w.get(`${name}.weight`).data),
      g.init(`${name}.bias`, [c.hiddenSize], w.get(`${name}.bias`).data),
    ],
    { attributes: { axis: -1, epsilon: { float: c.layerNormEps } } },
  );
}

function linear({ g, w }: GraphParts, x: string, name: string): string {
  const lw = w.linear(name);
  return g.op('Add', [
    g.op('MatMul', [x, g.init(`${name}.weight`, lw.shape, lw.data)]),
    g.init(`${name}.bias`, [lw.shape[1]!], w.bias(name)),
  ]);
}

/**
 * The additive attention bias [batch, 1, seq, total]: query t (absolute past + t) sees key j iff
 * j ≤ past + t and key j is not padding. Also returns `seq` and the int64 constant `one` the head reuses.
 */
function attentionBias(g: GraphBuilder, ids: string, mask: string): { seq: string; one: string; bias: string } {
  const seq = g.op('Gather', [g.op('Shape', [ids]), scalar64(g, 'one_index', 1)], { attributes: { axis: 0 } });
  const total = g.op('Gather', [g.op('Shape', [mask]), scalar64(g, 'one_index_b', 1)], { attributes: { axis: 0 } });
  const past = g.op('Sub', [total, seq]);
  const one = scalar64(g, 'step', 1);
  const queryPos = g.op('Unsqueeze', [g.op('Range', [past, total, one]), g.ints('axis1', [1])]);
  const keyPos = g.op('Unsqueeze', [g.op('Range', [scalar64(g, 'zero', 0), total, one]), g.ints('axis0', [0])]);
  const causal = g.op('Where', [
    g.op('LessOrEqual', [keyPos, queryPos]),
    g.scalar('zero_f', 0),
    g.scalar('neg_inf', -1e9),
  ]);
  const pad = g.op('Mul', [
    g.op('Sub', [g.scalar('one_f', 1), g.op('Cast', [mask], { attributes: { to: OnnxType.FLOAT } })]),
    g.scalar('neg_inf_b', -1e9),
  ]);
  return { seq, one, bias: g.op('Add', [causal, g.op('Unsqueeze', [pad, g.ints('axes12', [1, 2])])]) };
}

/** Decoder block i on hidden states `x`, with its cache inputs and outputs; returns the block's output. */
function decoderLayer(parts: GraphParts, i: number, x: string, bias: string, shapes: HeadShapes): string {
  const { g, c, w } = parts;
  const heads = c.numHeads;
  const headDim = c.hiddenSize / heads;
  const p = `h.${i}`;
  const names = cacheNames(i);
  const pastK = g.input(names.pastKey, OnnxType.FLOAT, ['batch', heads, 'past', headDim]);
  const pastV = g.input(names.pastValue, OnnxType.FLOAT, ['batch', heads, 'past', headDim]);
  const a = c.normalization === 'pre' ? norm(parts, x, `${p}.ln_1`) : x;
  const qkvW = concatColumns([w.linear(`${p}.attn.query`), w.linear(`${p}.attn.key`), w.linear(`${p}.attn.value`)]);
  const qkvB = Float32Array.from([
    ...w.bias(`${p}.attn.query`),
    ...w.bias(`${p}.attn.key`),
    ...w.bias(`${p}.attn.value`),
  ]);
  const qkv = g.op('Add', [
    g.op('MatMul', [a, g.init(`${p}.attn.qkv.weight`, qkvW.shape, qkvW.data)]),
    g.init(`${p}.attn.qkv.bias`, [qkvB.length], qkvB),
  ]);
  const [q, k, v] = g.opMulti('Split', [qkv, shapes.qkvSplit], { outputs: 3, attributes: { axis: 2 } }) as [
    string,
    string,
    string,
  ];
  const toHeads = (t: string) =>
    g.op('Transpose', [g.op('Reshape', [t, shapes.splitHeads])], { attributes: { perm: [0, 2, 1, 3] } });
  const keys = g.op('Concat', [pastK, toHeads(k)], { attributes: { axis: 2 }, names: [names.presentKey] });
  const values = g.op('Concat', [pastV, toHeads(v)], { attributes: { axis: 2 }, names: [names.presentValue] });
  g.output(keys, OnnxType.FLOAT, ['batch', heads, 'total', headDim]);
  g.output(values, OnnxType.FLOAT, ['batch', heads, 'total', headDim]);
  const scores = g.op('Add', [
    g.op('MatMul', [
      g.op('Mul', [toHeads(q), g.scalar('scale', 1 / Math.sqrt(headDim))]),
      g.op('Transpose', [keys], { attributes: { perm: [0, 1, 3, 2] } }),
    ]),
    bias,
  ]);
  const context = g.op('Reshape', [
    g.op('Transpose', [g.op('MatMul', [g.op('Softmax', [scores], { attributes: { axis: -1 } }), values])], {
      attributes: { perm: [0, 2, 1, 3] },
    }),
    shapes.mergeHeads,
  ]);
  const attnOut = linear(parts, context, `${p}.attn.output`);
  const h1 =
    c.normalization === 'pre' ? g.op('Add', [x, attnOut]) : norm(parts, g.op('Add', [x, attnOut]), `${p}.ln_1`);
  const inner = linear(parts, c.normalization === 'pre' ? norm(parts, h1, `${p}.ln_2`) : h1, `${p}.mlp.fc_in`);
  const ff = linear(parts, activation(g, inner, c.hiddenAct), `${p}.mlp.fc_out`);
  return c.normalization === 'pre' ? g.op('Add', [h1, ff]) : norm(parts, g.op('Add', [h1, ff]), `${p}.ln_2`);
}

/**
 * Writes a GPT directory's cached-decoding graph to an `.onnx` file (Python's onnxruntime loads it as is;
 * feed `past_*` with a 0-length past for the first call). Returns the file size in bytes.
 * @example exportGptOnnx('models/poetry-gpt-zh', '/tmp/poetry-gpt.onnx'); // → 18_000_000 (FP32 weights)
 */
export function exportGptOnnx(modelDir: string, file: string): number {
  const { config, weights } = readGptDir(modelDir);
  const bytes = buildGptGraph(config, new WeightReader(weights, modelDir));
  writeFileSync(file, bytes);
  return bytes.length;
}

/** The activation in standard ops (as the encoder's unfused export). */
function activation(g: GraphBuilder, x: string, act: GptConfig['hiddenAct']): string {
  if (act === 'relu') return g.op('Relu', [x]);
  const half = g.op('Mul', [x, g.scalar('half', 0.5)]);
  if (act === 'gelu')
    return g.op('Mul', [
      half,
      g.op('Add', [g.op('Erf', [g.op('Div', [x, g.scalar('sqrt2', Math.SQRT2)])]), g.scalar('one_g', 1)]),
    ]);
  const cube = g.op('Mul', [g.op('Pow', [x, g.scalar('three', 3)]), g.scalar('gelu_c', 0.044715)]);
  const inner = g.op('Mul', [g.op('Add', [x, cube]), g.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))]);
  return g.op('Mul', [half, g.op('Add', [g.op('Tanh', [inner]), g.scalar('one_t', 1)])]);
}
