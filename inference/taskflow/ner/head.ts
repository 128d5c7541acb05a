/**
 * The NER model's ONNX head, after the exported encoder (`framework/model/bert-graph.ts`): the same layer as
 * `TokenClassificationMethod.logits` in tfjs (token-classification.ts), with the same weight names
 * (`method.classifier.*`, `method.lac_tag_embedding`).
 */
import { ConfigError } from '../../../framework/errors.js';
import { OnnxType } from '../../../framework/onnx/proto.js';
import type { BertGraph } from '../../../framework/model/bert-graph.js';
import type { WeightReader } from '../../../framework/onnx/weights.js';
import type { LacTagFeatures } from './lac-char-tags.js';

/**
 * Token-classification head: every position's hidden state → linear layer over the tags; output
 * `scores` [batch, seq, tags] (logits; the runtime decodes them per character). With `lacTags`, the
 * graph also takes `lac_tag_ids` int32 [batch, seq] (0 at `[CLS]`, `[SEP]` and padding; see
 * `lac-char-tags.ts`) and the layer reads `[hidden; method.lac_tag_embedding[id]]`.
 * @example
 * tokenClassificationHead(bert, bert.encode(), methodWeights, 21);
 * // + input lac_tag_ids:
 * tokenClassificationHead(bert, bert.encode(), methodWeights, 21, { tags: lac.vocab.tags, size: 32 });
 */
export function tokenClassificationHead(
  bert: BertGraph,
  hidden: string,
  method: WeightReader,
  numTags: number,
  lacTags?: LacTagFeatures,
): void {
  const g = bert.g;
  g.scope = 'head/';
  const w = method.get('method.classifier.weight'); // [H (+ size), T]
  if (w.shape[1] !== numTags)
    throw new ConfigError(`tag layer has ${w.shape[1]} outputs but the run has ${numTags} tags`);
  const inputs = bert.config.hiddenSize + (lacTags?.size ?? 0);
  if (w.shape[0] !== inputs)
    throw new ConfigError(
      `tag layer reads ${w.shape[0]} inputs; expected ${inputs} (hidden ${bert.config.hiddenSize}` +
        `${lacTags ? ` + LAC tag embedding ${lacTags.size}` : ''})`,
    );
  let features = hidden;
  if (lacTags) {
    const table = method.get('method.lac_tag_embedding');
    const rows = lacTags.tags.length + 2;
    if (table.shape[0] !== rows || table.shape[1] !== lacTags.size)
      throw new ConfigError(
        `method.lac_tag_embedding is [${table.shape.join(', ')}]; expected [${rows}, ${lacTags.size}] ` +
          '(tags + padding + unknown, size)',
      );
    const ids = g.input('lac_tag_ids', OnnxType.INT32, ['batch', 'seq']);
    // [B, S, size]
    const tagVectors = g.op('Gather', [bert.weight('lac_tag_embedding', table), ids], { attributes: { axis: 0 } });
    features = g.op('Concat', [hidden, tagVectors], { attributes: { axis: -1 } });
  }
  g.op(
    'Add',
    [
      g.op('MatMul', [features, bert.weight('classifier.weight', w)]),
      bert.weight('classifier.bias', method.get('method.classifier.bias')),
    ],
    { names: ['scores'] },
  );
  g.output('scores', OnnxType.FLOAT, ['batch', 'seq', numTags]);
  g.scope = '';
}
