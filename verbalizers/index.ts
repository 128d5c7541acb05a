/**
 * Verbalizers: label words (`manual`), a trainable WARP head (`soft`), EFL label descriptions (`efl`),
 * and `restrictedMaskLogits` for reading only the label words' MLM logits.
 *
 * @example
 * import { ManualVerbalizer, restrictedMaskLogits } from './verbalizers/index.js';
 * const v = new ManualVerbalizer({ labelWords: { 正面: '好', 负面: '差' }, numMasks: 1 }, tok);
 * v.labelScores(restrictedMaskLogits(model, hidden, maskPositions, v.tokenIds, { normalize: v.inputNormalization }));
 */
import { ConfigError, UnknownKindError } from '../framework/errors.js';
import type { BertModel } from '../framework/model/bert.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';
import type { Verbalizer, VerbalizerConfig } from './base.js';
import { EflDescriptions } from './efl.js';
import { ManualVerbalizer } from './manual.js';
import { SoftVerbalizer } from './soft.js';

export { Verbalizer, type VerbalizerConfig } from './base.js';
export {
  ManualVerbalizer,
  type ManualVerbalizerArgs,
  type ManualVerbalizerConfig,
  type WordAggregate,
  type LabelWordNormalization,
} from './manual.js';
export { SoftVerbalizer, type SoftVerbalizerConfig } from './soft.js';
export { EflDescriptions, type EflConfig, type EflPair } from './efl.js';
export { tokenizeLabelWords, type LabelWord, type LabelWords, type TokenizedLabelWords } from './label-words.js';
export { restrictedMaskLogits, gatherMaskHidden, type MaskLogitsNormalization } from './mask-logits.js';

/** A registered verbalizer class: its `kind` and `fromConfig`. */
export interface VerbalizerClass {
  readonly kind: string;
  fromConfig(config: VerbalizerConfig, tokenizer: BertTokenizer, model?: BertModel): Verbalizer;
}

/**
 * Every verbalizer kind; add one with its file and one entry here.
 *
 * @example
 * VERBALIZERS.map((v) => v.kind); // => ['manual', 'soft', 'efl']
 */
export const VERBALIZERS: readonly VerbalizerClass[] = [ManualVerbalizer, SoftVerbalizer, EflDescriptions];

const BY_KIND = new Map<string, VerbalizerClass>();
for (const v of VERBALIZERS) {
  if (BY_KIND.has(v.kind)) throw new ConfigError(`duplicate verbalizer kind '${v.kind}'`);
  BY_KIND.set(v.kind, v);
}

/**
 * Build a verbalizer from its config (`type` picks the kind); `model` initialises a `soft` head.
 *
 * @example
 * verbalizerFromConfig({ type: 'manual', labelWords: { 正面: ['好'], 负面: ['差'] }, numMasks: 1 }, tok).labels;
 * // => ['正面', '负面']
 * verbalizerFromConfig({ type: 'knowledgeable' }, tok);
 * // throws UnknownKindError: unknown verbalizer 'knowledgeable'; valid: manual, soft, efl
 */
export function verbalizerFromConfig(
  config: VerbalizerConfig,
  tokenizer: BertTokenizer,
  model?: BertModel,
): Verbalizer {
  const cls = BY_KIND.get(config.type);
  if (cls === undefined) throw new UnknownKindError('verbalizer', config.type, [...BY_KIND.keys()]);
  return cls.fromConfig(config, tokenizer, model);
}
