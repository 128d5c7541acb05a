/**
 * The training recipe's settings, each declared once with its type, default and help: `trainDependencyParser`
 * fills the defaults from this table, and `fewprompt taskflow-train dependency_parsing` derives its flags
 * (`maxTokens` → `--max-tokens`) and `--help` from it. The defaults are the recipe's; the shipped model's own
 * values are in models/taskflow/dependency-parsing/MODEL_CARD.md.
 */
import { DEFAULT_MODEL_DIR } from '../../../framework/model/default.js';
import { PRECISIONS } from '../../../framework/onnx/choices.js';
import { resolveSettings, type Setting, type SettingsValues } from '../../../framework/settings.js';

export const DEPENDENCY_PARSER_SETTINGS = {
  train: {
    type: 'string',
    arg: 'FILE',
    default: '../shared/ud/zh-ud-train-v2.0-traditional.conllu',
    help: 'CoNLL-U training treebank (UD Chinese GSD v2.0: converted to Simplified, relations renamed; gsd.ts)',
  },
  dev: {
    type: 'string',
    arg: 'FILE',
    default: '../shared/ud/zh_gsdsimp-ud-dev.conllu',
    help: 'CoNLL-U dev treebank (GSDSimp), scored with tfjs and, with --bundle, on ONNX Runtime',
  },
  model: { type: 'string', arg: 'DIR', default: DEFAULT_MODEL_DIR, help: 'pretrained encoder to start from' },
  out: {
    type: 'string',
    arg: 'DIR',
    default: 'runs/dep-parsing',
    help: 'run folder: parser.safetensors, parser-run.json, metrics.json, checkpoint/',
  },
  bundle: {
    type: 'string',
    arg: 'DIR',
    help: 'write the ONNX bundle here and score it on dev (the shipped one: models/taskflow/dependency-parsing)',
  },
  epochs: { type: 'number', arg: 'N', default: 3, help: 'passes over the training buckets' },
  maxSteps: { type: 'number', arg: 'N', help: 'stop after this many optimiser steps' },
  maxTokens: { type: 'number', arg: 'N', default: 128, help: 'training sentences over this many tokens are skipped' },
  batchTokens: { type: 'number', arg: 'N', default: 2048, help: 'padded tokens per bucket (one optimiser step)' },
  maxSentences: { type: 'number', arg: 'N', default: 48, help: 'sentences per bucket at most' },
  lr: { type: 'number', arg: 'X', default: 1e-4, help: "the encoder's learning rate" },
  headLr: { type: 'number', arg: 'X', default: 1e-3, help: "the parser head's learning rate" },
  arcSize: { type: 'number', arg: 'N', default: 128, help: 'width of the arc MLPs' },
  relSize: { type: 'number', arg: 'N', default: 64, help: 'width of the relation MLPs' },
  tagSize: { type: 'number', arg: 'N', default: 32, help: 'width of the LAC tag embedding; 0 trains without tags' },
  maxDistance: {
    type: 'number',
    arg: 'N',
    default: 10,
    help: 'learned bias by signed head distance, clipped to ±N; 0 trains without it',
  },
  vocabSize: {
    type: 'number',
    arg: 'N',
    default: 8000,
    help: 'vocabulary kept: every token of the training sentences, then the most frequent of --vocab-corpus',
  },
  vocabCorpus: {
    type: 'strings',
    arg: 'FILE',
    default: [
      '../shared/corpora/clue_corpus_small_sampled.txt',
      '../shared/corpora/thucnews_train.txt',
      '../shared/corpora/waimai_10k.csv',
    ],
    help: 'text that ranks the rest of the vocabulary, one text a line (repeatable; missing files are skipped)',
  },
  limit: { type: 'number', arg: 'N', help: 'the first N training sentences only (smoke runs)' },
  devLimit: { type: 'number', arg: 'N', help: 'the first N dev sentences only' },
  seed: { type: 'number', arg: 'N', default: 42, help: 'seed of initialisation, dropout and bucket order' },
  precision: {
    type: 'string',
    arg: PRECISIONS.join('|'),
    choices: PRECISIONS,
    default: 'fp16',
    help: "the bundle's weights",
  },
  resume: { type: 'boolean', default: false, help: 'continue from OUT/checkpoint after an interruption' },
  exportOnly: {
    type: 'boolean',
    default: false,
    help: 're-export a finished run (OUT/parser.safetensors and parser-run.json) to --bundle, without training',
  },
} as const satisfies Record<string, Setting>;

/** What {@link DEPENDENCY_PARSER_SETTINGS} declares: the settings with a default are always set. */
export type DependencyParserTrainOptions = SettingsValues<typeof DEPENDENCY_PARSER_SETTINGS>;

/**
 * The options with the table's defaults filled in; a value outside a setting's choices is a ConfigError.
 * @example
 * resolveTrainOptions({ epochs: 4 }).batchTokens; // 2048
 * resolveTrainOptions({ precision: 'fp8' as 'fp16' }); // throws ConfigError: precision must be one of fp32, fp16, int8
 */
export function resolveTrainOptions(options: Partial<DependencyParserTrainOptions> = {}): DependencyParserTrainOptions {
  return resolveSettings(DEPENDENCY_PARSER_SETTINGS, options);
}
