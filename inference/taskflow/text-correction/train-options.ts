/**
 * The spelling corrector's two recipes, their settings each declared once with type, default and help:
 * `trainTextCorrection` (the network: train, export, evaluate) and `buildCorrectionLm` (the character n-gram models
 * and the rule that joins them to the network) fill their defaults from these tables, and
 * `fewprompt taskflow-train text_correction` / `text_correction_lm` derive their flags (`maxSteps` → `--max-steps`)
 * and `--help` from them. The shipped model's own values are in models/taskflow/text-correction/MODEL_CARD.md.
 */
import { ConfigError } from '../../../framework/errors.js';
import { DEFAULT_MODEL_DIR } from '../../../framework/model/default.js';
import { PRECISIONS } from '../../../framework/onnx/choices.js';
import { resolveSettings, type Setting, type SettingsValues } from '../../../framework/settings.js';

/** The network recipe's phases, in the order they run. */
export const TRAIN_PHASES = ['train', 'export', 'eval'] as const;
/** The n-gram recipe's phases, in the order they run. */
export const LM_PHASES = ['corpus', 'build', 'context', 'tune', 'eval'] as const;

const DATA_HELP =
  'shared data folder: csc/ (SIGHAN 2013-15 training pairs, SIGHAN-2015 test, confusion sets) and corpora/';

export const TEXT_CORRECTION_SETTINGS = {
  data: { type: 'string', arg: 'DIR', default: '../shared', help: `${DATA_HELP} (clean text for synthetic errors)` },
  model: { type: 'string', arg: 'DIR', default: DEFAULT_MODEL_DIR, help: 'pretrained masked LM to start from' },
  out: {
    type: 'string',
    arg: 'DIR',
    default: 'runs/csc',
    help: 'run folder: model/, dev.json, train.json, checkpoint/, export/, eval.json',
  },
  bundle: {
    type: 'string',
    arg: 'DIR',
    help: 'also copy the exported model here (the shipped one: models/taskflow/text-correction)',
  },
  phases: {
    type: 'string',
    arg: 'LIST',
    default: TRAIN_PHASES.join(','),
    help: 'train (OUT/model), export (thresholds chosen on the dev slice → OUT/export), eval (SIGHAN-2015 test)',
  },
  maxSteps: { type: 'number', arg: 'N', default: 450, help: 'optimiser steps (the schedule decays over them)' },
  maxMinutes: {
    type: 'number',
    arg: 'N',
    default: 40,
    help: 'stop training after N minutes with a checkpoint (--resume continues)',
  },
  batchSize: { type: 'number', arg: 'N', default: 32, help: 'sentences per optimiser step' },
  lr: { type: 'number', arg: 'X', default: 3e-4, help: 'learning rate of the encoder and both heads' },
  maxSeqLen: { type: 'number', arg: 'N', default: 128, help: 'tokens per row ([CLS] and [SEP] included)' },
  synthetic: {
    type: 'number',
    arg: 'N',
    default: 8000,
    help: 'synthetic training sentences: corpus text with confusion-set errors',
  },
  cleanSighanRate: {
    type: 'number',
    arg: 'X',
    default: 0.35,
    help: 'share of SIGHAN training pairs also given as their clean target (nothing to correct)',
  },
  devEvery: {
    type: 'number',
    arg: 'N',
    default: 20,
    help: 'every N-th SIGHAN training pair is held out as the dev slice that chooses the thresholds',
  },
  keepRate: {
    type: 'number',
    arg: 'X',
    default: 0.15,
    help: 'share of right characters whose copy is trained in the correction loss',
  },
  crop: {
    type: 'number',
    arg: 'N',
    default: 0,
    help: 'train on windows of at most N characters holding the first error (0: whole sentences)',
  },
  seed: { type: 'number', arg: 'N', default: 42, help: 'seed of the data, the batch order, dropout and sampling' },
  precision: {
    type: 'string',
    arg: PRECISIONS.join('|'),
    choices: PRECISIONS,
    default: 'int8',
    help: "the exported model's weights",
  },
  resume: { type: 'boolean', default: false, help: 'continue from OUT/checkpoint after an interruption' },
} as const satisfies Record<string, Setting>;

/** What {@link TEXT_CORRECTION_SETTINGS} declares: the settings with a default are always set. */
export type TextCorrectionTrainOptions = SettingsValues<typeof TEXT_CORRECTION_SETTINGS>;

export const CORRECTION_LM_SETTINGS = {
  data: { type: 'string', arg: 'DIR', default: '../shared', help: `${DATA_HELP} (the n-gram training text)` },
  out: {
    type: 'string',
    arg: 'DIR',
    default: 'runs/csc-lm',
    help: 'run folder: corpus/, FILE and its .domain.bin, .json, .rule.json, .eval.json, .eval.md',
  },
  model: {
    type: 'string',
    arg: 'DIR',
    help: 'the exported corrector the rule is tuned with (default: the shipped models/taskflow/text-correction)',
  },
  bundle: {
    type: 'string',
    arg: 'DIR',
    help: "write both models there (lm.bin, lm.domain.bin) and the rule into its csc.json's lm section",
  },
  phases: {
    type: 'string',
    arg: 'LIST',
    default: LM_PHASES.join(','),
    help:
      'corpus (decontaminated text → OUT/corpus, once), build (the n-gram models), context (the context model of ' +
      'confusable characters), tune (mixture, rule), eval',
  },
  order: { type: 'number', arg: 'N', default: 3, help: 'n-gram order' },
  minCounts: {
    type: 'string',
    arg: 'LIST',
    default: '1,2,3',
    help: 'minimum raw count of an n-gram kept, per order',
  },
  minCharCount: { type: 'number', arg: 'N', default: 3, help: 'characters seen fewer times are <unk>' },
  maxCharsPerFile: {
    type: 'number',
    arg: 'N',
    default: 6_000_000,
    help: 'characters read per corpus file (0: all)',
  },
  file: { type: 'string', arg: 'NAME', default: 'lm.bin', help: 'file name of the general model in OUT' },
  lm: { type: 'string', arg: 'FILE', help: 'tune and evaluate this model instead of OUT/FILE' },
  maxFpr: {
    type: 'number',
    arg: 'X',
    default: 0.04,
    help: 'share of error-free dev sentences a rule may change',
  },
  maxCandidates: { type: 'number', arg: 'N', default: 10, help: 'candidates per position the rule weighs' },
  context: {
    type: 'string',
    arg: 'NAME',
    default: 'context.bin',
    help: "the context model of confusable characters in OUT (the context phase's), weighed by the rule; '' for none",
  },
  contextMinPairs: {
    type: 'number',
    arg: 'N',
    default: 40,
    help: 'a wrong → right pair seen N times in the training errors joins its characters into a confusable group',
  },
  contextDomainRepeat: {
    type: 'number',
    arg: 'N',
    default: 0,
    help: "times each corrected training sentence is counted in the context model (the corpus's once)",
  },
  contextChars: {
    type: 'boolean',
    default: false,
    help: "count the context model's character view too (2.7 MB, seconds to load; measured on dev, not shipped)",
  },
  contextBeta: { type: 'number', arg: 'X', default: 1, help: "prior strength of the context model's backoff steps" },
  contextMinCount: {
    type: 'number',
    arg: 'N',
    default: 2,
    help: 'contexts seen fewer times are left out of the context model (they back off)',
  },
} as const satisfies Record<string, Setting>;

/** What {@link CORRECTION_LM_SETTINGS} declares: the settings with a default are always set. */
export type CorrectionLmOptions = SettingsValues<typeof CORRECTION_LM_SETTINGS>;

/**
 * The network recipe's options with the table's defaults filled in; a value outside a setting's choices is a
 * ConfigError.
 * @example resolveTextCorrectionOptions({ maxSteps: 40 }).batchSize; // 32
 */
export function resolveTextCorrectionOptions(
  options: Partial<TextCorrectionTrainOptions> = {},
): TextCorrectionTrainOptions {
  return resolveSettings(TEXT_CORRECTION_SETTINGS, options);
}

/**
 * The n-gram recipe's options with the table's defaults filled in.
 * @example resolveCorrectionLmOptions({ out: 'runs/lm' }).order; // 3
 */
export function resolveCorrectionLmOptions(options: Partial<CorrectionLmOptions> = {}): CorrectionLmOptions {
  return resolveSettings(CORRECTION_LM_SETTINGS, options);
}

/**
 * The phases of a comma-separated list, each checked against `valid`.
 * @example phaseList('train,eval', TRAIN_PHASES); // ['train', 'eval']
 */
export function phaseList<P extends string>(list: string, valid: readonly P[]): P[] {
  const phases = list.split(',').filter((p) => p !== '');
  const unknown = phases.filter((p) => !(valid as readonly string[]).includes(p));
  if (unknown.length > 0) throw new ConfigError(`--phases: unknown ${unknown.join(', ')}; valid: ${valid.join(', ')}`);
  return phases as P[];
}
