/**
 * `EflDescriptions` (EFL, entailment as few-shot learner): each label becomes a description sentence;
 * an example is paired with every description and a binary entailment model scores each pair. The
 * label score is the pair's entailment log-probability. As in PaddleNLP's EFL example, the pair goes
 * through a template such as `{'text': 'sentence'}{'sep'}{'text': 'candidate_label'}`.
 */
import { tf, type Tensor } from '../framework/backend/tf.js';
import { ShapeError, VerbalizerError } from '../framework/errors.js';
import { Verbalizer, type VerbalizerConfig } from './base.js';

/** Config of an `efl` verbalizer. */
export interface EflConfig extends VerbalizerConfig {
  readonly type: 'efl';
  readonly descriptions: Record<string, string>;
  /** Example field the description is written into (default `candidate_label`). */
  readonly field: string;
}

/**
 * One entailment pair: the example's fields plus the description under `field`, and whether it entails.
 *
 * @example
 * const p: EflPair = { label: '正面', example: { sentence: '很好', candidate_label: '这是一条好评' }, entailment: 1 };
 */
export interface EflPair {
  readonly label: string;
  readonly example: Record<string, unknown>;
  /** 1 for the gold label's pair, 0 for the others; absent without a gold label. */
  readonly entailment?: 0 | 1;
}

/**
 * Label descriptions for entailment.
 *
 * @example
 * const efl = new EflDescriptions({ descriptions: { 正面: '这是一条好评', 负面: '这是一条差评' } });
 * efl.pairs({ sentence: '很好' }, '正面').map((p) => p.entailment); // => [1, 0]
 */
export class EflDescriptions extends Verbalizer {
  static override readonly kind = 'efl';
  readonly labels: string[];
  /** Empty: EFL scores pairs with an entailment head, not MLM logits. */
  readonly tokenIds: number[] = [];
  readonly descriptions: Readonly<Record<string, string>>;
  readonly field: string;

  constructor(args: { readonly descriptions: Readonly<Record<string, string>>; readonly field?: string }) {
    super();
    const d = args.descriptions;
    if (typeof d !== 'object' || d === null || Array.isArray(d))
      throw new VerbalizerError('descriptions must map each label to a description sentence');
    this.labels = Object.keys(d);
    if (this.labels.length < 2) throw new VerbalizerError(`EFL needs at least 2 labels, got ${this.labels.length}`);
    const seen = new Map<string, string>();
    for (const label of this.labels) {
      const text = d[label];
      if (typeof text !== 'string' || text.trim() === '')
        throw new VerbalizerError(`label '${label}' has no description`);
      const other = seen.get(text);
      if (other !== undefined)
        throw new VerbalizerError(`labels '${other}' and '${label}' have the same description '${text}'`);
      seen.set(text, label);
    }
    this.descriptions = { ...d };
    this.field = args.field ?? 'candidate_label';
  }

  /**
   * One pair per label, in label order; with `gold`, the gold label's pair has `entailment: 1`.
   *
   * @example
   * efl.pairs({ sentence: '很好' })[1].example; // => { sentence: '很好', candidate_label: '这是一条差评' }
   */
  pairs(example: Readonly<Record<string, unknown>>, gold?: string): EflPair[] {
    if (gold !== undefined && !this.labels.includes(gold))
      throw new VerbalizerError(`unknown label '${gold}'; valid: ${this.labels.join(', ')}`);
    return this.labels.map((label) => ({
      label,
      example: { ...example, [this.field]: this.descriptions[label] },
      ...(gold === undefined ? {} : { entailment: label === gold ? (1 as const) : (0 as const) }),
    }));
  }

  /**
   * Entailment logits [B, numLabels, 2] (not-entail, entail) of each example's pairs → label scores
   * [B, numLabels]: log P(entail) of each pair.
   *
   * @example
   * efl.labelScores(tf.tensor3d([[[0, 0], [0, Math.log(3)]]])); // => [[ln 0.5, ln 0.75]]
   */
  labelScores(pairLogits: Tensor): Tensor {
    if (pairLogits.rank !== 3 || pairLogits.shape[1] !== this.labels.length || pairLogits.shape[2] !== 2) {
      throw new ShapeError(
        `EFL labelScores expects [B, ${this.labels.length}, 2], got [${pairLogits.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => tf.squeeze(tf.slice(tf.logSoftmax(pairLogits, -1), [0, 0, 1], [-1, -1, 1]), [2]));
  }

  /**
   * JSON-safe config.
   *
   * @example
   * efl.getConfig(); // => { type: 'efl', descriptions: { 正面: '这是一条好评', 负面: '这是一条差评' }, field: 'candidate_label' }
   */
  getConfig(): EflConfig {
    return { type: 'efl', descriptions: { ...this.descriptions }, field: this.field };
  }

  /**
   * Inverse of `getConfig`.
   *
   * @example
   * EflDescriptions.fromConfig(efl.getConfig()).labels; // => ['正面', '负面']
   */
  static fromConfig(config: VerbalizerConfig): EflDescriptions {
    const c = config as Partial<EflConfig>;
    if (c.descriptions === undefined) throw new VerbalizerError("an 'efl' verbalizer config needs descriptions");
    return new EflDescriptions({ descriptions: c.descriptions, ...(c.field === undefined ? {} : { field: c.field }) });
  }
}
