/**
 * The reading-comprehension recipe's settings, each declared once with its type, default and help:
 * `trainQuestionAnswering` fills the defaults from this table, and `fewprompt taskflow-train question_answering`
 * derives its flags (`maxSeqLen` → `--max-seq-len`) and `--help` from it. The shipped model's own values are in
 * models/taskflow/question-answering/MODEL_CARD.md.
 */
import { DEFAULT_MODEL_DIR } from '../../../framework/model/default.js';
import { PRECISIONS } from '../../../framework/onnx/choices.js';
import { TOKEN_TYPES } from './features.js';
import { resolveSettings, type Setting, type SettingsValues } from '../../../framework/settings.js';

export const QUESTION_ANSWERING_SETTINGS = {
  train: {
    type: 'strings',
    arg: 'FILE',
    default: ['../shared/corpora/cmrc2018_trial.json'],
    help: 'SQuAD-layout training files in Simplified script (repeatable)',
  },
  trainTraditional: {
    type: 'strings',
    arg: 'FILE',
    default: ['../shared/corpora/qa/drcd_dev.json', '../shared/corpora/qa/drcd_test.json'],
    help: 'SQuAD-layout training files in Traditional script, converted with opencc-js tw → cn (repeatable)',
  },
  dev: {
    type: 'string',
    arg: 'FILE',
    default: '../shared/corpora/cmrc2018_dev.json',
    help: 'evaluation set (CMRC 2018 dev), never trained on: training passages sharing 32 characters are dropped',
  },
  model: {
    type: 'string',
    arg: 'DIR',
    default: DEFAULT_MODEL_DIR,
    help: 'pretrained encoder to start from (any BERT in Hugging Face layout)',
  },
  out: {
    type: 'string',
    arg: 'DIR',
    default: 'runs/qa',
    help: 'run folder: reader.safetensors, reader-run.json, metrics.json, checkpoint/',
  },
  bundle: {
    type: 'string',
    arg: 'DIR',
    help: 'write the ONNX bundle here and score it on dev (the shipped one: models/taskflow/question-answering)',
  },
  epochs: { type: 'number', arg: 'N', default: 2, help: 'passes over the training windows' },
  maxSteps: { type: 'number', arg: 'N', help: 'optimiser steps of the run (the schedule decays over them)' },
  maxMinutes: {
    type: 'number',
    arg: 'N',
    help: 'stop training after N minutes with a checkpoint (--resume continues), then score and export',
  },
  batchSize: { type: 'number', arg: 'N', default: 16, help: 'windows per optimiser step' },
  lr: { type: 'number', arg: 'X', default: 1e-4, help: "the encoder's learning rate" },
  headLr: { type: 'number', arg: 'X', default: 1e-3, help: "the span head's learning rate" },
  maxSeqLen: { type: 'number', arg: 'N', default: 256, help: 'tokens per window, [CLS] and [SEP]s included' },
  docStride: { type: 'number', arg: 'N', default: 128, help: 'passage tokens between the starts of two windows' },
  maxQuestionTokens: { type: 'number', arg: 'N', default: 64, help: 'question tokens kept (the rest is cut)' },
  tokenTypes: {
    type: 'string',
    arg: TOKEN_TYPES.join('|'),
    choices: TOKEN_TYPES,
    default: 'match',
    help:
      "segment: BERT's types (question 0, passage 1); match: passage tokens found in the question are type 2 " +
      "(DrQA's exact-match feature; the encoder's type embeddings gain a row, copied from type 1)",
  },
  maxAnswerTokens: {
    type: 'number',
    arg: 'N',
    default: 64,
    help: 'longest answer in tokens: the decoding cap; longer training answers are dropped',
  },
  threshold: {
    type: 'number',
    arg: 'X',
    default: 0.001,
    help: "the bundle's no-answer threshold: a best span scoring below X (p(start)·p(end)) answers empty",
  },
  negativeRate: {
    type: 'number',
    arg: 'X',
    default: 1,
    help: 'share of the windows without the answer trained on (seeded); below 1 a short run covers more questions',
  },
  checkpointEvery: { type: 'number', arg: 'N', default: 200, help: 'write a checkpoint every N optimiser steps' },
  limit: { type: 'number', arg: 'N', help: 'the first N training questions only (smoke runs)' },
  devLimit: { type: 'number', arg: 'N', help: 'the first N dev questions only' },
  tfjsDev: {
    type: 'number',
    arg: 'N',
    default: 200,
    help: 'dev questions also scored with tfjs (the training graph), to check the export against',
  },
  seed: { type: 'number', arg: 'N', default: 42, help: 'seed of the head, dropout and window order' },
  precision: {
    type: 'string',
    arg: PRECISIONS.join('|'),
    choices: PRECISIONS,
    default: 'int8',
    help: "the bundle's weights",
  },
  resume: { type: 'boolean', default: false, help: 'continue from OUT/checkpoint after an interruption' },
  exportOnly: {
    type: 'boolean',
    default: false,
    help: 're-export a finished run (OUT/reader.safetensors and reader-run.json) to --bundle, without training',
  },
} as const satisfies Record<string, Setting>;

/** What {@link QUESTION_ANSWERING_SETTINGS} declares: the settings with a default are always set. */
export type QuestionAnsweringTrainOptions = SettingsValues<typeof QUESTION_ANSWERING_SETTINGS>;

/**
 * The options with the table's defaults filled in; a value outside a setting's choices is a ConfigError.
 * @example resolveQaTrainOptions({ epochs: 1 }).maxSeqLen; // 256
 */
export function resolveQaTrainOptions(
  options: Partial<QuestionAnsweringTrainOptions> = {},
): QuestionAnsweringTrainOptions {
  return resolveSettings(QUESTION_ANSWERING_SETTINGS, options);
}
