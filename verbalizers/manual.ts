/**
 * `ManualVerbalizer` (PET): each label maps to one or more label words; a word of n tokens spans
 * n masks, its k-th token read at the k-th mask.
 *
 * Scores, following PaddleNLP's verbalizers (`paddlenlp/prompt/verbalizer.py`):
 * 1. per mask and word, the score of the word's token there (`normalize`: `vocab` = log-probability
 *    over the whole vocabulary, as PaddleNLP's PET trains it — cross-entropy over the vocabulary at each
 *    mask, `MaskedLMVerbalizer`; `label-words` = log-softmax over the label words at that mask, as
 *    `ManualVerbalizer.post_log_softmax`; `none` = raw logits);
 * 2. a word's score = the sum over masks (log of the product of its token probabilities: the
 *    `product` mask aggregation of `MaskedLMVerbalizer`);
 * 3. a label's score = the `mean` of its words' scores (PaddleNLP's `word_aggregate_type`), or `max`, or `first`.
 * A word's tokens never share a mask here, so PaddleNLP's token mean within a word has nothing to average.
 */
import { tf, type Tensor } from '../framework/backend/tf.js';
import { ShapeError, VerbalizerError } from '../framework/errors.js';
import type { BertModel } from '../framework/model/bert.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';
import { Verbalizer, type VerbalizerConfig } from './base.js';
import { tokenizeLabelWords, type LabelWord, type LabelWords } from './label-words.js';
import { restrictedMaskLogits, type MaskLogitsNormalization } from './mask-logits.js';

/** How a label's several words combine. */
export type WordAggregate = 'mean' | 'max' | 'first';
/** What the per-mask scores are normalised over (see the file comment). */
export type LabelWordNormalization = 'vocab' | 'label-words' | 'none';

/** Arguments of {@link ManualVerbalizer}. */
export interface ManualVerbalizerArgs {
  readonly labelWords: LabelWords;
  /** The template's mask count; every word must tokenize to exactly this many tokens. */
  readonly numMasks: number;
  /** Default `mean`. */
  readonly aggregate?: WordAggregate;
  /** Default `vocab` (PaddleNLP PET). */
  readonly normalize?: LabelWordNormalization;
}

/** Config of a `manual` verbalizer. */
export interface ManualVerbalizerConfig extends VerbalizerConfig {
  readonly type: 'manual';
  readonly labelWords: Record<string, string[]>;
  readonly numMasks: number;
  readonly aggregate: WordAggregate;
  readonly normalize: LabelWordNormalization;
}

const AGGREGATES: readonly WordAggregate[] = ['mean', 'max', 'first'];
const NORMALIZATIONS: readonly LabelWordNormalization[] = ['vocab', 'label-words', 'none'];

/**
 * Label words → label scores.
 *
 * @example
 * const v = new ManualVerbalizer({ labelWords: { 正面: ['好评', '满意'], 负面: '差评' }, numMasks: 2 }, tok);
 * v.labels;   // => ['正面', '负面']
 * v.tokenIds; // => ids of 好 评 满 意 差 (unique, first appearance)
 * const scores = v.labelScoresFromHidden(model, hidden, maskPositions); // [B, 2]
 */
export class ManualVerbalizer extends Verbalizer {
  static override readonly kind = 'manual';
  readonly labels: string[];
  readonly tokenIds: number[];
  readonly words: readonly LabelWord[];
  readonly numMasks: number;
  readonly aggregate: WordAggregate;
  readonly normalize: LabelWordNormalization;
  private readonly labelWords: Record<string, string[]>;
  /** Column of `tokenIds` holding word n's token at mask m: flat index m·K + column, laid out [M, N]. */
  private readonly gatherIndex: number[];

  constructor(args: ManualVerbalizerArgs, tokenizer: BertTokenizer) {
    super();
    const aggregate = args.aggregate ?? 'mean';
    const normalize = args.normalize ?? 'vocab';
    if (!AGGREGATES.includes(aggregate))
      throw new VerbalizerError(`aggregate must be one of ${AGGREGATES.join(', ')}, got '${aggregate}'`);
    if (!NORMALIZATIONS.includes(normalize))
      throw new VerbalizerError(`normalize must be one of ${NORMALIZATIONS.join(', ')}, got '${normalize}'`);
    const t = tokenizeLabelWords(args.labelWords, tokenizer, args.numMasks);
    this.labels = t.labels;
    this.tokenIds = t.tokenIds;
    this.words = t.words;
    this.numMasks = args.numMasks;
    this.aggregate = aggregate;
    this.normalize = normalize;
    this.labelWords = Object.fromEntries(
      t.labels.map((label, l) => [label, t.words.filter((w) => w.label === l).map((w) => w.word)]),
    );
    const column = new Map(t.tokenIds.map((id, k) => [id, k]));
    const k = t.tokenIds.length;
    this.gatherIndex = Array.from({ length: args.numMasks }, (_, m) =>
      t.words.map((w) => m * k + column.get(w.ids[m]!)!),
    ).flat();
  }

  /**
   * What `labelScores` expects as input: `vocab` log-probabilities when `normalize` is `vocab`, raw logits otherwise.
   *
   * @example
   * restrictedMaskLogits(model, hidden, maskPositions, v.tokenIds, { normalize: v.inputNormalization });
   */
  get inputNormalization(): MaskLogitsNormalization {
    return this.normalize === 'vocab' ? 'vocab' : 'none';
  }

  /**
   * [B, numMasks, K] scores of `tokenIds` (per `inputNormalization`) → label scores [B, numLabels].
   *
   * @example
   * // 1 mask, tokens [好, 差], logits [[ln 0.6, ln 0.2]] with normalize 'none' → [[ln 0.6, ln 0.2]]
   */
  labelScores(maskLogits: Tensor): Tensor {
    const k = this.tokenIds.length;
    if (maskLogits.rank !== 3 || maskLogits.shape[1] !== this.numMasks || maskLogits.shape[2] !== k) {
      throw new ShapeError(
        `labelScores expects [B, ${this.numMasks}, ${k}] (numMasks, tokenIds), got [${maskLogits.shape.join(', ')}]`,
      );
    }
    const batch = maskLogits.shape[0]!;
    const n = this.words.length;
    return tf.tidy(() => {
      const flat = tf.reshape(maskLogits, [batch, this.numMasks * k]);
      let perMask = tf.reshape(tf.gather(flat, tf.tensor1d(this.gatherIndex, 'int32'), 1), [batch, this.numMasks, n]);
      if (this.normalize === 'label-words') perMask = tf.logSoftmax(perMask, -1);
      const wordScores = tf.sum(perMask, 1); // [B, N]
      const columns = this.labels.map((_, l) => this.words.flatMap((w, i) => (w.label === l ? [i] : [])));
      if (this.aggregate === 'first')
        return tf.gather(
          wordScores,
          tf.tensor1d(
            columns.map((c) => c[0]!),
            'int32',
          ),
          1,
        );
      if (this.aggregate === 'mean') {
        const weights = Array.from({ length: n }, (_, i) =>
          this.labels.map((__, l) => (this.words[i]!.label === l ? 1 / columns[l]!.length : 0)),
        );
        return tf.matMul(wordScores, tf.tensor2d(weights, [n, this.labels.length]));
      }
      return tf.stack(
        columns.map((c) => tf.max(tf.gather(wordScores, tf.tensor1d(c, 'int32'), 1), 1)),
        1,
      );
    });
  }

  /**
   * Label scores straight from encoder output: restricted logits
   * at the masks (`inputNormalization`), then `labelScores`.
   *
   * @example
   * v.labelScoresFromHidden(model, model.encode(inputs), maskPositions); // [B, numLabels]
   */
  labelScoresFromHidden(model: BertModel, hidden: Tensor, maskPositions: Tensor): Tensor {
    return tf.tidy(() =>
      this.labelScores(
        restrictedMaskLogits(model, hidden, maskPositions, this.tokenIds, { normalize: this.inputNormalization }),
      ),
    );
  }

  /**
   * JSON-safe config.
   *
   * @example
   * new ManualVerbalizer({ labelWords: { 正面: '好', 负面: '差' }, numMasks: 1 }, tok).getConfig();
   * // => { type: 'manual', labelWords: { 正面: ['好'], 负面: ['差'] }, numMasks: 1, aggregate: 'mean', normalize: 'vocab' }
   */
  getConfig(): ManualVerbalizerConfig {
    return {
      type: 'manual',
      labelWords: structuredClone(this.labelWords),
      numMasks: this.numMasks,
      aggregate: this.aggregate,
      normalize: this.normalize,
    };
  }

  /**
   * Inverse of `getConfig`.
   *
   * @example
   * ManualVerbalizer.fromConfig(v.getConfig(), tok).labels; // => v.labels
   */
  static fromConfig(config: VerbalizerConfig, tokenizer: BertTokenizer): ManualVerbalizer {
    const c = config as Partial<ManualVerbalizerConfig>;
    if (c.labelWords === undefined || typeof c.numMasks !== 'number')
      throw new VerbalizerError("a 'manual' verbalizer config needs labelWords and numMasks");
    return new ManualVerbalizer(
      {
        labelWords: c.labelWords,
        numMasks: c.numMasks,
        ...(c.aggregate === undefined ? {} : { aggregate: c.aggregate }),
        ...(c.normalize === undefined ? {} : { normalize: c.normalize }),
      },
      tokenizer,
    );
  }
}
