/**
 * `SoftVerbalizer` (WARP, PaddleNLP's `SoftVerbalizer`): a copy of the MLM head whose decoder is
 * replaced by a trainable [H, numLabels] matrix, initialised per label from the word embeddings of
 * its first label word (token mean), with a zero bias. The head transform (dense + act + LayerNorm) is
 * copied from the model and trained with it. It reads mask hidden states, not vocabulary logits.
 * Deviation: PaddleNLP requires one mask; with several, the per-mask label logits are averaged.
 */
import { tf, type Tensor, type Variable } from '../framework/backend/tf.js';
import type { HostFloatTensor } from '../framework/model/parameters.js';
import { CheckpointError, ShapeError, VerbalizerError } from '../framework/errors.js';
import type { BertModel } from '../framework/model/bert.js';
import { activation } from '../framework/ops/activations.js';
import { layerNorm } from '../framework/ops/layer-norm.js';
import { dense } from '../framework/ops/matmul.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';
import { Verbalizer, type VerbalizerConfig } from './base.js';
import { tokenizeLabelWords, type LabelWords } from './label-words.js';

/** Config of a `soft` verbalizer (weights travel separately, via `getWeights`). */
export interface SoftVerbalizerConfig extends VerbalizerConfig {
  readonly type: 'soft';
  readonly labelWords: Record<string, string[]>;
  readonly hiddenSize: number;
  readonly hiddenAct: string;
  readonly layerNormEps: number;
}

const WEIGHTS = [
  'transform.dense.weight',
  'transform.dense.bias',
  'transform.LayerNorm.weight',
  'transform.LayerNorm.bias',
  'decoder.weight',
  'decoder.bias',
] as const;

/**
 * A trainable label head over the mask hidden state.
 *
 * @example
 * const v = new SoftVerbalizer({ labelWords: { 正面: '好', 负面: '差' } }, tok, model);
 * const scores = v.labelScoresFromHidden(gatherMaskHidden(hidden, maskPositions)); // [B, 2] logits
 * optimizer.minimize(() => loss(scores), false, [...modelVariables, ...v.variables]);
 */
export class SoftVerbalizer extends Verbalizer {
  static override readonly kind = 'soft';
  readonly labels: string[];
  /** Empty: this head reads hidden states, not MLM logits. */
  readonly tokenIds: number[] = [];
  private readonly labelWords: Record<string, string[]>;
  private readonly weights: Map<string, Variable>;
  private readonly config: { hiddenSize: number; hiddenAct: string; layerNormEps: number };

  /**
   * Without `model`, the head starts random (hidden size etc. from `shape`); load trained weights with `setWeights`.
   */
  constructor(
    args: { readonly labelWords: LabelWords },
    tokenizer: BertTokenizer,
    model?: BertModel,
    shape?: { hiddenSize: number; hiddenAct: string; layerNormEps: number },
  ) {
    super();
    const t = tokenizeLabelWords(args.labelWords, tokenizer);
    this.labels = t.labels;
    this.labelWords = Object.fromEntries(
      t.labels.map((label, l) => [label, t.words.filter((w) => w.label === l).map((w) => w.word)]),
    );
    const cfg = model?.config ?? shape;
    if (cfg === undefined)
      throw new VerbalizerError(
        'SoftVerbalizer needs the model (to initialise from its head) or its hiddenSize/hiddenAct/layerNormEps',
      );
    this.config = { hiddenSize: cfg.hiddenSize, hiddenAct: cfg.hiddenAct, layerNormEps: cfg.layerNormEps };
    activation(this.config.hiddenAct);
    const h = this.config.hiddenSize;
    const numLabels = t.labels.length;
    const firstWords = t.labels.map((_, l) => t.words.find((w) => w.label === l)!.ids);
    const init = tf.tidy(() => {
      if (model === undefined) {
        return [
          tf.randomNormal([h, h], 0, 0.02, 'float32', 1),
          tf.zeros([h]),
          tf.ones([h]),
          tf.zeros([h]),
          tf.randomNormal([h, numLabels], 0, 0.02, 'float32', 2),
          tf.zeros([numLabels]),
        ];
      }
      const p = (name: string): Tensor => model.params.get(name);
      const emb = p('embeddings.word_embeddings.weight');
      // token mean, as PaddleNLP
      const columns = firstWords.map((ids) => tf.mean(tf.gather(emb, tf.tensor1d([...ids], 'int32')), 0));
      return [
        p('cls.predictions.transform.dense.weight'),
        p('cls.predictions.transform.dense.bias'),
        p('cls.predictions.transform.LayerNorm.weight'),
        p('cls.predictions.transform.LayerNorm.bias'),
        tf.stack(columns, 1),
        tf.zeros([numLabels]),
      ].map((x) => tf.clone(x));
    });
    this.weights = new Map(WEIGHTS.map((name, i) => [name, tf.variable(init[i]!, true)]));
    init.forEach((x) => x.dispose());
  }

  /** Trainable variables, for the optimizer. */
  get variables(): Variable[] {
    return [...this.weights.values()];
  }

  /** Not used: a soft verbalizer reads hidden states. Throws; call `labelScoresFromHidden`. */
  labelScores(_maskLogits: Tensor): Tensor {
    throw new VerbalizerError("a 'soft' verbalizer reads mask hidden states: call labelScoresFromHidden(maskHidden)");
  }

  /**
   * Mask hidden states [B, numMasks, H] → label logits [B, numLabels] (mean over masks).
   *
   * @example
   * v.labelScoresFromHidden(tf.zeros([2, 1, 32])).shape; // => [2, 2]
   */
  labelScoresFromHidden(maskHidden: Tensor): Tensor {
    const h = this.config.hiddenSize;
    if (maskHidden.rank !== 3 || maskHidden.shape[2] !== h)
      throw new ShapeError(`labelScoresFromHidden expects [B, numMasks, ${h}], got [${maskHidden.shape.join(', ')}]`);
    return tf.tidy(() => {
      const w = (name: (typeof WEIGHTS)[number]): Tensor => this.weights.get(name)!;
      const t = layerNorm(
        activation(this.config.hiddenAct)(dense(maskHidden, w('transform.dense.weight'), w('transform.dense.bias'))),
        w('transform.LayerNorm.weight'),
        w('transform.LayerNorm.bias'),
        this.config.layerNormEps,
      );
      return tf.mean(dense(t, w('decoder.weight'), w('decoder.bias')), 1);
    });
  }

  /**
   * Host copies of the head's weights (dense weights stored [in, out]).
   *
   * @example
   * v.getWeights().get('decoder.weight')!.shape; // => [H, numLabels]
   */
  getWeights(): Map<string, HostFloatTensor> {
    return new Map(
      [...this.weights].map(([name, v]) => [
        name,
        { dtype: 'float32' as const, shape: [...v.shape], data: Float32Array.from(v.dataSync()) },
      ]),
    );
  }

  /** Load weights saved by `getWeights`; names and shapes must match. */
  setWeights(weights: ReadonlyMap<string, HostFloatTensor>): void {
    for (const [name, v] of this.weights) {
      const w = weights.get(name);
      if (w === undefined) throw new CheckpointError(`soft verbalizer weights lack '${name}'`);
      if (w.shape.join() !== v.shape.join())
        throw new CheckpointError(
          `soft verbalizer weight '${name}': expected shape [${v.shape.join(', ')}], got [${w.shape.join(', ')}]`,
        );
      tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, 'float32')));
    }
  }

  /**
   * JSON-safe config (no weights).
   *
   * @example
   * v.getConfig();
   * // => { type: 'soft', labelWords: { 正面: ['好'], 负面: ['差'] }, hiddenSize: 32, hiddenAct: 'gelu', layerNormEps: 1e-12
   * //   }
   */
  getConfig(): SoftVerbalizerConfig {
    return { type: 'soft', labelWords: structuredClone(this.labelWords), ...this.config };
  }

  /**
   * Inverse of `getConfig`; with `model` the head is re-initialised from it, else random until `setWeights`.
   *
   * @example
   * SoftVerbalizer.fromConfig(v.getConfig(), tok).labels; // => v.labels
   */
  static fromConfig(config: VerbalizerConfig, tokenizer: BertTokenizer, model?: BertModel): SoftVerbalizer {
    const c = config as Partial<SoftVerbalizerConfig>;
    if (
      c.labelWords === undefined ||
      typeof c.hiddenSize !== 'number' ||
      typeof c.hiddenAct !== 'string' ||
      typeof c.layerNormEps !== 'number'
    ) {
      throw new VerbalizerError("a 'soft' verbalizer config needs labelWords, hiddenSize, hiddenAct and layerNormEps");
    }
    return new SoftVerbalizer({ labelWords: c.labelWords }, tokenizer, model, {
      hiddenSize: c.hiddenSize,
      hiddenAct: c.hiddenAct,
      layerNormEps: c.layerNormEps,
    });
  }

  /** Free the head's variables. */
  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
  }
}
