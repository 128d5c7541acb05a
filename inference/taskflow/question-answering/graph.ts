/**
 * The reader as ONNX: {@link BertGraph}'s encoder (under `int8`, with the word embeddings in int8 rows as the other
 * Taskflow bundles) → the span head (head.ts) → `start_logits` and `end_logits` [batch, seq]. The window softmax and
 * the span search run on the host (decode.ts), as in training.
 */
import type { BertConfig } from '../../../framework/model/config.js';
import { GraphBuilder } from '../../../framework/onnx/graph.js';
import { OnnxType } from '../../../framework/onnx/proto.js';
import { BertGraph } from '../../../framework/model/bert-graph.js';
import type { Fusion, Precision } from '../../../framework/onnx/choices.js';
import { Int8EmbeddingBertGraph } from '../../export/int8-embeddings.js';
import type { WeightReader } from '../../../framework/onnx/weights.js';

/** Options of {@link buildQaGraph}. */
export interface QaGraphOptions {
  readonly precision: Precision;
  readonly fusion: Fusion;
}

/**
 * Builds the graph from encoder weights (canonical names) and the head's (`qa.*`, see head.ts).
 * @example
 * const { bytes, nodes } = buildQaGraph(config, new WeightReader(state), { precision: 'int8', fusion: 'contrib' });
 */
export function buildQaGraph(
  config: BertConfig,
  weights: WeightReader,
  options: QaGraphOptions,
): { bytes: Uint8Array; nodes: number } {
  const g = new GraphBuilder('fewprompt-span-reader');
  const Graph = options.precision === 'int8' ? Int8EmbeddingBertGraph : BertGraph;
  const bert = new Graph(g, config, weights, options);
  const hidden = bert.encode();
  g.scope = 'qa/';
  // The head stays float (2 columns: nothing to gain from int8, and its scores decide the answer).
  const w = weights.get('qa.span.weight');
  const both = g.op('Add', [
    g.op('MatMul', [hidden, g.init('qa.span.weight', w.shape, w.data)]),
    g.init('qa.span.bias', [2], weights.get('qa.span.bias').data),
  ]); // [B, T, 2]
  ['start_logits', 'end_logits'].forEach((name, column) => {
    g.op('Gather', [both, g.init(`${name}.column`, [], BigInt64Array.of(BigInt(column)))], {
      attributes: { axis: 2 },
      names: [name],
    });
    g.output(name, OnnxType.FLOAT, ['batch', 'seq']);
  });
  g.scope = '';
  return { bytes: g.encode(), nodes: g.nodes.length };
}
