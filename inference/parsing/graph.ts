/**
 * The parser as ONNX: {@link BertGraph}'s encoder → word vectors (Gather at `word_index`) → the four
 * MLPs → `arc_scores` [batch, nodes, nodes] (dependent × head) and `rel_scores`
 * [batch, nodes · labels, nodes] (dependent × label × head). The MST decoding runs on the host.
 */
import type { BertConfig } from '../../framework/model/config.js';
import { BertGraph, type Fusion, type Precision } from '../export/bert-graph.js';
import type { FloatWeight, WeightReader } from '../export/weights.js';
import { GraphBuilder } from '../onnx/graph.js';
import { OnnxType } from '../onnx/proto.js';
import { LEAKY_SLOPE, type ParserHeadConfig } from './head.js';

/** Options of {@link buildParserGraph}. */
export interface ParserGraphOptions {
  readonly precision: Precision;
  readonly fusion: Fusion;
}

/** The first `rows` rows of a [rows + 1, cols] matrix, and its last row. */
function splitLastRow(w: FloatWeight): { top: FloatWeight; last: Float32Array } {
  const [rows, cols] = w.shape as [number, number];
  return { top: { shape: [rows - 1, cols], data: w.data.subarray(0, (rows - 1) * cols) }, last: w.data.slice((rows - 1) * cols) };
}

/**
 * Builds the graph from encoder weights (canonical names) and head weights (`parser.*`, see head.ts).
 * @example
 * const { bytes, nodes } = buildParserGraph(config, new WeightReader(state), head, { precision: 'fp16', fusion: 'contrib' });
 */
export function buildParserGraph(config: BertConfig, weights: WeightReader, head: ParserHeadConfig, options: ParserGraphOptions): { bytes: Uint8Array; nodes: number } {
  const g = new GraphBuilder('fewprompt-biaffine-parser');
  const bert = new BertGraph(g, config, weights, options);
  const hidden = bert.encode();
  const wordIndex = g.input('word_index', OnnxType.INT32, ['batch', 'nodes']);
  g.scope = 'parser/';
  const words = g.op('Gather', [g.op('Reshape', [hidden, g.ints('flat_tokens', [-1, config.hiddenSize])]), wordIndex], { attributes: { axis: 0 } });
  const mlp = (name: string) => g.op('LeakyRelu', [bert.matmul(words, name, weights.get(`${name}.weight`), weights.get(`${name}.bias`).data)],
    { attributes: { alpha: { float: LEAKY_SLOPE } } });
  const affine = (x: string, name: string) => {
    const { top, last } = splitLastRow(weights.get(name));
    return bert.matmul(x, name, top, last);
  };
  const arcDep = mlp('parser.arc_dep');
  const arcHead = mlp('parser.arc_head');
  const relDep = mlp('parser.rel_dep');
  const relHead = mlp('parser.rel_head');
  const transposeLast = (x: string) => g.op('Transpose', [x], { attributes: { perm: [0, 2, 1] } });
  const arc = g.op('MatMul', [affine(arcDep, 'parser.arc_biaffine'), transposeLast(arcHead)], { names: ['arc_scores'] });
  const relWidth = head.relSize + 1;
  const perLabel = g.op('Reshape', [affine(relDep, 'parser.rel_biaffine'), g.ints('per_label', [0, -1, relWidth])]); // [B, W·L, r+1]
  const headWithOne = g.op('Pad', [relHead, g.ints('append_one', [0, 0, 0, 0, 0, 1]), g.scalar('one', 1)]); // [B, W, r+1]
  const rel = g.op('MatMul', [perLabel, transposeLast(headWithOne)], { names: ['rel_scores'] });
  g.scope = '';
  g.output(arc, OnnxType.FLOAT, ['batch', 'nodes', 'nodes']);
  g.output(rel, OnnxType.FLOAT, ['batch', 'nodes_labels', 'nodes']);
  return { bytes: g.encode(), nodes: g.nodes.length };
}
