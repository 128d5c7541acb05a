/**
 * Graph heads on the exported encoder, the building blocks of the methods' export heads (each method folder in
 * experiments/methods picks its own); each ends in `scores` float [batch, labels], in the bundle's label order.
 *
 * Masked-LM label words (PET, P-Tuning): the hidden states at the mask positions go through the MLM transform, then
 * - `normalize: 'vocab'` (PaddleNLP's PET, the default): the full tied decoder [M, V] and a
 *   LogSoftmax over the vocabulary, then the label-word columns — exactly the tfjs scores (the
 *   normaliser differs per mask, so dropping it would change the scores, though not the ranking);
 *   only M (1–4) rows per example reach the decoder, so this costs one [M, H]·[H, V] product;
 * - `label-words` / `none`: only the label-word rows of the decoder ([H, K], tiny).
 * Then the verbalizer's aggregation: sum over masks, then mean / max / first over a label's words.
 *
 * `[CLS]` classifier (fine-tuning, EFL): `[CLS]` → pooler (tanh dense, when the model has one) → linear classifier.
 */
import { ConfigError } from '../../framework/errors.js';
import type { ManualVerbalizer } from '../../verbalizers/manual.js';
import { OnnxType } from '../../framework/onnx/proto.js';
import type { BertGraph } from '../../framework/model/bert-graph.js';
import { transpose, type WeightReader } from '../../framework/onnx/weights.js';

/**
 * Masked-LM transform (dense → activation → LayerNorm) on [.., H] rows, in standard ops: the label-word head's and the
 * spelling corrector's graph (inference/taskflow/text-correction/graph.ts) both read the MLM head through it.
 */
export function mlmTransform(bert: BertGraph, x: string): string {
  const g = bert.g;
  const t = 'cls.predictions.transform';
  const dense = bert.w.linear(`${t}.dense`);
  const y = g.op('Add', [
    g.op('MatMul', [x, bert.weight(`${t}.dense.weight`, dense)]),
    bert.weight(`${t}.dense.bias`, bert.w.bias(`${t}.dense`)),
  ]);
  const act = bert.config.hiddenAct === 'relu' ? g.op('Relu', [y]) : gelu(bert, y, bert.config.hiddenAct === 'gelu');
  return g.op(
    'LayerNormalization',
    [
      act,
      bert.weight(`${t}.LayerNorm.weight`, bert.w.get(`${t}.LayerNorm.weight`)),
      bert.weight(`${t}.LayerNorm.bias`, bert.w.get(`${t}.LayerNorm.bias`)),
    ],
    { attributes: { axis: -1, epsilon: { float: bert.config.layerNormEps } } },
  );
}

function gelu(bert: BertGraph, x: string, exact: boolean): string {
  const g = bert.g;
  const half = g.op('Mul', [x, g.scalar('half', 0.5)]);
  if (exact)
    return g.op('Mul', [
      half,
      g.op('Add', [g.op('Erf', [g.op('Div', [x, g.scalar('sqrt2', Math.SQRT2)])]), g.scalar('one', 1)]),
    ]);
  const inner = g.op('Mul', [
    g.op('Add', [x, g.op('Mul', [g.op('Pow', [x, g.scalar('three', 3)]), g.scalar('gelu_c', 0.044715)])]),
    g.scalar('k', Math.sqrt(2 / Math.PI)),
  ]);
  return g.op('Mul', [half, g.op('Add', [g.op('Tanh', [inner]), g.scalar('one', 1)])]);
}

/**
 * Label-word scores at the masks (PET's and P-Tuning's head, as `ManualVerbalizer.labelScoresFromHidden` in tfjs):
 * adds input `mask_positions` int32 [batch, masks] and output `scores` [batch, labels].
 * @example
 * maskedLmLabelHead(bert, bert.encode(), verbalizer, ['Negative', 'Positive']);
 */
export function maskedLmLabelHead(
  bert: BertGraph,
  hidden: string,
  verbalizer: ManualVerbalizer,
  labels: readonly string[],
): void {
  const g = bert.g;
  g.scope = 'head/';
  const c = bert.config;
  const masks = verbalizer.numMasks;
  const positions = g.input('mask_positions', OnnxType.INT32, ['batch', masks]);
  const index = g.op('Unsqueeze', [
    g.op('Cast', [positions], { attributes: { to: OnnxType.INT64 } }),
    g.ints('last_axis', [-1]),
  ]);
  const maskHidden = g.op('GatherND', [hidden, index], { attributes: { batch_dims: 1 } }); // [B, M, H]
  const rows = g.op('Reshape', [mlmTransform(bert, maskHidden), g.ints('rows', [-1, c.hiddenSize])]); // [B·M, H]
  const ids = verbalizer.tokenIds;
  const k = ids.length;
  const word = bert.w.get('embeddings.word_embeddings.weight');
  const decoderBias = bert.w.get('cls.predictions.bias').data;
  let tokenScores: string; // [B·M, K]
  if (verbalizer.normalize === 'vocab') {
    const logits = g.op('Gemm', [rows, bert.wordEmbeddings, bert.weight('decoder.bias', decoderBias)], {
      attributes: { transB: 1 },
    });
    tokenScores = g.op(
      'Gather',
      [
        g.op('LogSoftmax', [logits], { attributes: { axis: -1 } }),
        g.init('label_token_ids', [k], Int32Array.from(ids)),
      ],
      { attributes: { axis: 1 } },
    );
  } else {
    const h = c.hiddenSize;
    const picked = new Float32Array(k * h);
    ids.forEach((id, j) => picked.set(word.data.subarray(id * h, (id + 1) * h), j * h));
    const w = transpose(picked, k, h); // [H, K]
    tokenScores = g.op('Add', [
      g.op('MatMul', [rows, bert.weight('decoder.label_rows', w, [h, k])]),
      bert.weight(
        'decoder.label_bias',
        Float32Array.from(ids, (id) => decoderBias[id]!),
      ),
    ]);
  }
  // Per mask m and word n, the score of word n's m-th token: flat column m·K + column(token).
  const column = new Map(ids.map((id, j) => [id, j]));
  const words = verbalizer.words;
  const gather = Array.from({ length: masks }, (_, m) => words.map((wd) => m * k + column.get(wd.ids[m]!)!)).flat();
  const flat = g.op('Reshape', [tokenScores, g.ints('per_example', [-1, masks * k])]);
  let perMask = g.op('Reshape', [
    g.op('Gather', [flat, g.init('word_columns', [gather.length], Int32Array.from(gather))], {
      attributes: { axis: 1 },
    }),
    g.ints('mask_words', [-1, masks, words.length]),
  ]);
  if (verbalizer.normalize === 'label-words') perMask = g.op('LogSoftmax', [perMask], { attributes: { axis: -1 } });
  const wordScores = g.op('ReduceSum', [perMask, g.ints('mask_axis', [1])], { attributes: { keepdims: 0 } }); // [B, N]
  const order = labels.map((l) => {
    const i = verbalizer.labels.indexOf(l);
    if (i < 0)
      throw new ConfigError(`label '${l}' has no label words; the verbalizer has ${verbalizer.labels.join(', ')}`);
    return i;
  });
  const columns = order.map((l) => words.flatMap((wd, i) => (wd.label === l ? [i] : [])));
  if (verbalizer.aggregate === 'max') {
    const perLabel = columns.map((cols) =>
      g.op(
        'ReduceMax',
        [
          g.op('Gather', [wordScores, g.init('label_words', [cols.length], Int32Array.from(cols))], {
            attributes: { axis: 1 },
          }),
        ],
        { attributes: { axes: [1], keepdims: 1 } },
      ),
    );
    g.op('Concat', perLabel, { attributes: { axis: 1 }, names: ['scores'] });
  } else {
    const weights = new Float32Array(words.length * labels.length);
    columns.forEach((cols, l) => {
      const use = verbalizer.aggregate === 'first' ? cols.slice(0, 1) : cols;
      for (const i of use) weights[i * labels.length + l] = 1 / use.length;
    });
    g.op('MatMul', [wordScores, g.init('word_to_label', [words.length, labels.length], weights)], {
      names: ['scores'],
    });
  }
  g.output('scores', OnnxType.FLOAT, ['batch', labels.length]);
  g.scope = '';
}

/**
 * `[CLS]` (through the pooler when present) → the method's linear classifier (`method.classifier.*`); output
 * `scores` (logits).
 * @example
 * clsClassifierHead(bert, bert.encode(), methodWeights, 2);
 */
export function clsClassifierHead(bert: BertGraph, hidden: string, method: WeightReader, numLabels: number): void {
  const g = bert.g;
  g.scope = 'head/';
  let cls = g.op('Gather', [hidden, g.init('cls_index', [], Int32Array.of(0))], { attributes: { axis: 1 } }); // [B, H]
  if (bert.w.has('pooler.dense.weight')) {
    cls = g.op('Tanh', [
      g.op('Add', [
        g.op('MatMul', [cls, bert.weight('pooler.dense.weight', bert.w.linear('pooler.dense'))]),
        bert.weight('pooler.dense.bias', bert.w.bias('pooler.dense')),
      ]),
    ]);
  }
  const w = method.get('method.classifier.weight'); // stored [H, C] (x·W), not Hugging Face's [out, in]
  if (w.shape[1] !== numLabels)
    throw new ConfigError(`classifier has ${w.shape[1]} outputs but the run has ${numLabels} labels`);
  g.op(
    'Add',
    [
      g.op('MatMul', [cls, bert.weight('classifier.weight', w)]),
      bert.weight('classifier.bias', method.get('method.classifier.bias')),
    ],
    { names: ['scores'] },
  );
  g.output('scores', OnnxType.FLOAT, ['batch', numLabels]);
  g.scope = '';
}
