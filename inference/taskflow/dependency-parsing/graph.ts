/**
 * The parser as ONNX: {@link BertGraph}'s encoder → word vectors (Gather at `word_index`) → the four
 * MLPs → `arc_scores` [batch, nodes, nodes] (dependent × head) and `rel_scores`
 * [batch, nodes · labels, nodes] (dependent × label × head). The MST decoding runs on the host.
 */
import type { BertConfig } from '../../../framework/model/config.js';
import { BertGraph } from '../../../framework/model/bert-graph.js';
import type { Fusion, Precision } from '../../../framework/onnx/choices.js';
import type { FloatWeight, WeightReader } from '../../../framework/onnx/weights.js';
import { GraphBuilder } from '../../../framework/onnx/graph.js';
import { OnnxType } from '../../../framework/onnx/proto.js';
import { LEAKY_SLOPE, type ParserHeadConfig } from './head.js';

/** Options of {@link buildParserGraph}. */
export interface ParserGraphOptions {
  readonly precision: Precision;
  readonly fusion: Fusion;
}

/** The first `rows` rows of a [rows + 1, cols] matrix, and its last row. */
function splitLastRow(w: FloatWeight): { top: FloatWeight; last: Float32Array } {
  const [rows, cols] = w.shape as [number, number];
  return {
    top: { shape: [rows - 1, cols], data: w.data.subarray(0, (rows - 1) * cols) },
    last: w.data.slice((rows - 1) * cols),
  };
}

/**
 * `parser.arc_distance[clip(h − d, −K, K) + K]` as a [nodes, nodes] matrix (dependent × head), from
 * the node count of `word_index` — the same indices as head.ts's `distanceIndex`.
 */
function distanceBias(g: GraphBuilder, wordIndex: string, maxDistance: number, weights: WeightReader): string {
  const n = g.op('Gather', [g.op('Shape', [wordIndex]), g.init('nodes_axis', [], BigInt64Array.of(1n))], {
    attributes: { axis: 0 },
  });
  const range = g.op('Range', [
    g.init('range_start', [], BigInt64Array.of(0n)),
    n,
    g.init('range_step', [], BigInt64Array.of(1n)),
  ]);
  const asHeads = g.op('Unsqueeze', [range, g.ints('head_axis', [0])]); // [1, N]
  const asDependents = g.op('Unsqueeze', [range, g.ints('dependent_axis', [1])]); // [N, 1]
  const k = BigInt(maxDistance);
  const clipped = g.op('Clip', [
    g.op('Sub', [asHeads, asDependents]),
    g.init('distance_min', [], BigInt64Array.of(-k)),
    g.init('distance_max', [], BigInt64Array.of(k)),
  ]);
  const index = g.op('Add', [clipped, g.init('distance_offset', [], BigInt64Array.of(k))]);
  const table = weights.get('parser.arc_distance');
  return g.op('Gather', [g.init('parser.arc_distance', table.shape, table.data), index], { attributes: { axis: 0 } });
}

/**
 * Builds the graph from encoder weights (canonical names) and head weights (`parser.*`, see head.ts).
 * @example
 * const options = { precision: 'fp16', fusion: 'contrib' };
 * const { bytes, nodes } = buildParserGraph(config, new WeightReader(state), head, options);
 */
export function buildParserGraph(
  config: BertConfig,
  weights: WeightReader,
  head: ParserHeadConfig,
  options: ParserGraphOptions,
): { bytes: Uint8Array; nodes: number } {
  const g = new GraphBuilder('fewprompt-biaffine-parser');
  const bert = new BertGraph(g, config, weights, options);
  const hidden = bert.encode();
  const wordIndex = g.input('word_index', OnnxType.INT32, ['batch', 'nodes']);
  g.scope = 'parser/';
  const pieces = g.op(
    'Gather',
    [g.op('Reshape', [hidden, g.ints('flat_tokens', [-1, config.hiddenSize])]), wordIndex],
    { attributes: { axis: 0 } },
  );
  let words = pieces;
  if (head.tags) {
    // LAC tag ids per node (word-tags.ts): their embedding is concatenated to each word vector.
    const tagIds = g.input('tag_ids', OnnxType.INT32, ['batch', 'nodes']);
    const table = weights.get('parser.tag_embedding');
    const tagVectors = g.op('Gather', [g.init('parser.tag_embedding', table.shape, table.data), tagIds], {
      attributes: { axis: 0 },
    });
    words = g.op('Concat', [pieces, tagVectors], { attributes: { axis: -1 } });
  }
  const mlp = (name: string) =>
    g.op('LeakyRelu', [bert.matmul(words, name, weights.get(`${name}.weight`), weights.get(`${name}.bias`).data)], {
      attributes: { alpha: { float: LEAKY_SLOPE } },
    });
  const affine = (x: string, name: string) => {
    const { top, last } = splitLastRow(weights.get(name));
    return bert.matmul(x, name, top, last);
  };
  const arcDep = mlp('parser.arc_dep');
  const arcHead = mlp('parser.arc_head');
  const relDep = mlp('parser.rel_dep');
  const relHead = mlp('parser.rel_head');
  const transposeLast = (x: string) => g.op('Transpose', [x], { attributes: { perm: [0, 2, 1] } });
  const biaffine = (outputs: { names?: string[] }) =>
    g.op('MatMul', [affine(arcDep, 'parser.arc_biaffine'), transposeLast(arcHead)], outputs);
  const arc = head.maxDistance
    ? g.op('Add', [biaffine({}), distanceBias(g, wordIndex, head.maxDistance, weights)], { names: ['arc_scores'] })
    : biaffine({ names: ['arc_scores'] });
  const relWidth = head.relSize + 1;
  // [B, W·L, r+1]
  const perLabel = g.op('Reshape', [affine(relDep, 'parser.rel_biaffine'), g.ints('per_label', [0, -1, relWidth])]);
  // [B, W, r+1]
  const headWithOne = g.op('Pad', [relHead, g.ints('append_one', [0, 0, 0, 0, 0, 1]), g.scalar('one', 1)]);
  const rel = g.op('MatMul', [perLabel, transposeLast(headWithOne)], { names: ['rel_scores'] });
  g.scope = '';
  g.output(arc, OnnxType.FLOAT, ['batch', 'nodes', 'nodes']);
  g.output(rel, OnnxType.FLOAT, ['batch', 'nodes_labels', 'nodes']);
  return { bytes: g.encode(), nodes: g.nodes.length };
}
