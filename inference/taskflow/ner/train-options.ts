/**
 * The `ner` (accurate) recipe's settings, each declared once with its type, default and help: `trainNer` fills the
 * defaults from this table, and `fewprompt taskflow-train ner` derives its flags (`maxSteps` → `--max-steps`) and
 * `--help` from it. The shipped model's own values are in models/taskflow/ner/MODEL_CARD.md.
 */
import { DEFAULT_MODEL_DIR } from '../../../framework/model/default.js';
import { resolveSettings, type Setting, type SettingsValues } from '../../../framework/settings.js';

export const NER_SETTINGS = {
  train: {
    type: 'string',
    arg: 'FILE',
    default: '../shared/ner/cluener_train.json',
    help: 'CLUENER2020 training file (10,748 sentences; cluener.ts)',
  },
  dev: {
    type: 'string',
    arg: 'FILE',
    default: '../shared/ner/cluener_dev.json',
    help: 'CLUENER2020 dev file, scored on ONNX Runtime after export (never used to choose weights)',
  },
  model: { type: 'string', arg: 'DIR', default: DEFAULT_MODEL_DIR, help: 'pretrained encoder to start from' },
  out: {
    type: 'string',
    arg: 'DIR',
    default: 'runs/ner',
    help:
      'run folder: model/, method.json, method.safetensors, history.json, metrics.json, checkpoint/, ' +
      'bundle-fp32/ and bundle-int8/ (the shipped kind)',
  },
  maxSteps: { type: 'number', arg: 'N', default: 600, help: 'optimiser steps on CLUENER (no model selection)' },
  batchSize: { type: 'number', arg: 'N', default: 32, help: 'sentences per step' },
  maxSeqLen: {
    type: 'number',
    arg: 'N',
    default: 64,
    help: 'tokens per row, [CLS] and [SEP] included (one per character); longer sentences are cut in training',
  },
  lr: { type: 'number', arg: 'X', default: 2e-4, help: "the encoder's learning rate" },
  headLr: { type: 'number', arg: 'X', default: 2e-3, help: "the tag layer's (and LAC tag embedding's) learning rate" },
  seed: { type: 'number', arg: 'N', default: 42, help: 'seed of initialisation, dropout, batch order and MSRA pieces' },
  checkpointEvery: { type: 'number', arg: 'N', default: 25, help: 'steps between checkpoints (OUT/checkpoint)' },
  lacTagSize: {
    type: 'number',
    arg: 'N',
    default: 32,
    help: "width of the embedding of LAC's tag of each character, read beside the hidden states; 0: hidden states only",
  },
  msra: {
    type: 'string',
    arg: 'FILE',
    default: '../shared/ner/msra_bio.zip',
    help: 'MSRA NER, character BIO (a text file or a zip holding one; msra.ts), for the first stage',
  },
  msraSteps: {
    type: 'number',
    arg: 'N',
    default: 0,
    help:
      "first stage: the encoder trained N steps as a tagger of MSRA's PER/LOC/ORG (its own tag layer, discarded), " +
      'then on CLUENER; 0: no first stage',
  },
  msraSentences: {
    type: 'number',
    arg: 'N',
    default: 16000,
    help: 'MSRA pieces (of at most max-seq-len − 2 characters) drawn with the seed for the first stage',
  },
  lexicon: {
    type: 'boolean',
    default: true,
    help: "an entity lexicon built from --train's entities (lexicon.ts) in every bundle; dev scored with and without",
  },
  addLexicon: {
    type: 'string',
    arg: 'DIR',
    help: 'no training: build the lexicon from --train into the bundle DIR and score dev with and without it',
  },
  resume: { type: 'boolean', default: false, help: 'continue from OUT/checkpoint (and OUT/checkpoint-msra)' },
  fromCheckpoint: {
    type: 'boolean',
    default: false,
    help:
      "skip training and finish (save, export, score) from OUT/checkpoint's weights: a run cut short keeps its " +
      'last checkpoint',
  },
} as const satisfies Record<string, Setting>;

/** What {@link NER_SETTINGS} declares: the settings with a default are always set. */
export type NerTrainOptions = SettingsValues<typeof NER_SETTINGS>;

/**
 * The options with the table's defaults filled in.
 * @example
 * resolveNerTrainOptions({ maxSteps: 500 }).lacTagSize; // 32
 */
export function resolveNerTrainOptions(options: Partial<NerTrainOptions> = {}): NerTrainOptions {
  return resolveSettings(NER_SETTINGS, options);
}
