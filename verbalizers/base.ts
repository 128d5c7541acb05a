/**
 * The verbalizer base: maps a masked LM's predictions at the template's masks to label scores.
 * Kinds: `manual` (label words, PET), `soft` (a trainable WARP head), `efl` (label descriptions for
 * entailment). Register a kind with one file and one entry in `index.ts`.
 */
import type { Tensor } from '../framework/backend/tf.js';

/**
 * A verbalizer's saved form; the rest of the fields depend on `type`.
 *
 * @example
 * const c: VerbalizerConfig = { type: 'manual', labelWords: { 正面: ['好'], 负面: ['差'] }, numMasks: 1 };
 */
export interface VerbalizerConfig {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * Label scores from the model's outputs at the mask positions.
 *
 * @example
 * const scores = verbalizer.labelScores(maskLogits); // [batch, verbalizer.labels.length], log-space
 * const loss = softmaxCrossEntropy(scores, labelIds); // the PET loss
 */
export abstract class Verbalizer {
  /** Registry key; also the config's `type`. */
  static readonly kind: string;
  /** Label names, in the order of the label-score columns. */
  abstract readonly labels: readonly string[];
  /** Unique vocabulary ids whose MLM logits this verbalizer reads (so the model computes only those decoder rows). */
  abstract readonly tokenIds: readonly number[];

  /**
   * `maskLogits` [B, numMasks, tokenIds.length]: scores restricted to `tokenIds`, in that order (see
   * `restrictedMaskLogits`) → label scores [B, numLabels] in log-space; cross-entropy over them is the PET loss.
   */
  abstract labelScores(maskLogits: Tensor): Tensor;

  /** JSON-safe config (no weights); the class's `fromConfig` inverts it. */
  abstract getConfig(): VerbalizerConfig;

  /**
   * Index of a label in `labels`.
   *
   * @example
   * verbalizer.labelIndex('负面'); // => 1
   */
  labelIndex(label: string): number {
    return this.labels.indexOf(label);
  }
}
