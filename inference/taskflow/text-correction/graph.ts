/**
 * The spelling-correction graph: the BERT encoder ({@link BertGraph}) with two heads.
 *
 * Inputs: the encoder's four int32 [batch, seq] inputs and `candidate_ids` int32 [batch, seq, C] —
 * for every character the ids whose log-probabilities the host wants (the character itself first,
 * then its confusion set, padded by repeating the character).
 * Outputs:
 * - `detect_prob` [batch, seq]: sigmoid of the detection head — P(character is wrong);
 * - `candidate_logprobs` [batch, seq, C]: log-softmax of the MLM head over the whole vocabulary,
 *   gathered at `candidate_ids`;
 * - `top_logprob` [batch, seq, 1] and `top_id` int64 [batch, seq, 1]: the vocabulary's best token
 *   (unrestricted correction).
 * Under `int8` the encoder's MatMuls are int8 and the embedding tables float16 (they are most of the file).
 */
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import type { BertConfig } from '../../../framework/model/config.js';
import { BertGraph } from '../../../framework/model/bert-graph.js';
import type { Fusion, Precision } from '../../../framework/onnx/choices.js';
import { WeightReader, type FloatWeight } from '../../../framework/onnx/weights.js';
import { GraphBuilder } from '../../../framework/onnx/graph.js';
import { OnnxType } from '../../../framework/onnx/proto.js';
import { mlmTransform } from '../../export/heads.js';

/** Detection-head weight names in a CSC state dict (Linear layout: weight [1, hidden], bias [1]). */
export const DETECT_WEIGHT = 'csc.detect.weight';
export const DETECT_BIAS = 'csc.detect.bias';

/** Tables at least this large are stored as float16 under `int8`. */
const HALF_TABLE_SIZE = 65_536;

/** BertGraph whose large embedding tables stay float16 when the MatMuls are int8. */
class CscBertGraph extends BertGraph {
  override weight(name: string, value: FloatWeight | Float32Array, dims?: readonly number[]): string {
    const data = value instanceof Float32Array ? value : value.data;
    if (this.options.precision !== 'int8' || data.length < HALF_TABLE_SIZE) return super.weight(name, value, dims);
    return this.float16(name, data, dims ?? (value instanceof Float32Array ? [value.length] : value.shape));
  }
}

/**
 * Builds the graph from a CSC state dict (canonical BERT keys + the detection head).
 * @example
 * const bytes = buildCscGraph(state, config, { precision: 'int8' });
 * await ort.InferenceSession.create(bytes);
 */
export function buildCscGraph(
  state: ReadonlyMap<string, HostTensor>,
  config: BertConfig,
  options: { precision?: Precision; fusion?: Fusion } = {},
): Uint8Array {
  const g = new GraphBuilder('fewprompt-csc');
  const w = new WeightReader(state, 'CSC checkpoint');
  const bert = new CscBertGraph(g, config, w, {
    fusion: options.fusion ?? 'contrib',
    precision: options.precision ?? 'fp32',
  });
  const hidden = bert.encode(); // [B, S, H]
  const candidates = g.input('candidate_ids', OnnxType.INT32, ['batch', 'seq', 'candidates']);
  g.scope = 'detect/';
  const h = config.hiddenSize;
  const dw = w.get(DETECT_WEIGHT);
  const logit = g.op('Add', [
    g.op('MatMul', [hidden, bert.weight('detect.weight', dw.data, [h, 1])]),
    bert.weight('detect.bias', w.get(DETECT_BIAS).data),
  ]);
  g.op('Sigmoid', [g.op('Squeeze', [logit, g.ints('last', [2])])], { names: ['detect_prob'] });
  g.output('detect_prob', OnnxType.FLOAT, ['batch', 'seq']);
  g.scope = 'correct/';
  const logits = g.op('Add', [
    g.op('MatMul', [
      mlmTransform(bert, hidden),
      g.op('Transpose', [bert.wordEmbeddings], { attributes: { perm: [1, 0] } }),
    ]),
    bert.weight('decoder.bias', w.get('cls.predictions.bias').data),
  ]); // [B, S, V]
  const logprobs = g.op('LogSoftmax', [logits], { attributes: { axis: -1 } });
  const index = g.op('Cast', [candidates], { attributes: { to: OnnxType.INT64 } });
  g.op('GatherElements', [logprobs, index], { attributes: { axis: 2 }, names: ['candidate_logprobs'] });
  g.output('candidate_logprobs', OnnxType.FLOAT, ['batch', 'seq', 'candidates']);
  g.opMulti('TopK', [logprobs, g.init('k', [1], BigInt64Array.of(1n))], {
    attributes: { axis: -1 },
    names: ['top_logprob', 'top_id'],
  });
  g.output('top_logprob', OnnxType.FLOAT, ['batch', 'seq', 1]);
  g.output('top_id', OnnxType.INT64, ['batch', 'seq', 1]);
  g.scope = '';
  return g.encode({ metadata: { 'fewprompt.task': 'text_correction' } });
}
