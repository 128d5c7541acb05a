/**
 * The sentiment recipe's settings, each declared once with its type, default and help: `trainSentiment` fills the
 * defaults from this table, and `fewprompt taskflow-train sentiment_analysis` derives its flags (`maxSeqLen` →
 * `--max-seq-len`) and `--help` from it. The shipped model's own values are in
 * models/taskflow/sentiment-analysis/MODEL_CARD.md.
 */
import { DEFAULT_MODEL_DIR } from '../../../framework/model/default.js';
import { PRECISIONS } from '../../../framework/onnx/choices.js';
import { resolveSettings, type Setting, type SettingsValues } from '../../../framework/settings.js';

/** The training methods the recipe can use (registered methods of experiments/ that score one row per review). */
export const SENTIMENT_METHODS = ['pet', 'finetune'] as const;

export const SENTIMENT_SETTINGS = {
  data: {
    type: 'string',
    arg: 'DIR',
    default: '../shared/sentiment',
    help: 'ChnSentiCorp: chnsenticorp_{train,dev,test}.tsv (dev and test are never trained on)',
  },
  extra: {
    type: 'strings',
    arg: 'FILE',
    // Not chnsenticorp_htl_all.csv: all but 436 of its reviews are in ChnSentiCorp (dev and test included) or
    // online_shopping's 酒店 already, and those 436 are garbled (README.md: Data).
    default: ['../shared/corpora/online_shopping_10_cats.csv', '../shared/corpora/waimai_10k.csv'],
    help:
      'more labelled review sets (CSV label,review or cat,label,review; repeatable): deduplicated, ' +
      'decontaminated, balanced',
  },
  devPerClass: {
    type: 'number',
    arg: 'N',
    default: 300,
    help: 'reviews per class held out of each --extra set as its dev slice',
  },
  maxPerSource: {
    type: 'number',
    arg: 'N',
    default: 10000,
    help: 'training reviews per source at most, half of each class (0: all its minority class allows)',
  },
  model: {
    type: 'string',
    arg: 'DIR',
    default: DEFAULT_MODEL_DIR,
    help: 'pretrained encoder to start from (any BERT in Hugging Face layout with its masked-LM head)',
  },
  out: {
    type: 'string',
    arg: 'DIR',
    default: 'runs/sentiment',
    help: 'run folder: mix/, run/ (fewprompt export layout), checkpoint, bundle/, metrics.json, report.md',
  },
  ship: {
    type: 'string',
    arg: 'DIR',
    help: 'replace the bundle in DIR (models/taskflow/sentiment-analysis) only if the new one beats it on test',
  },
  method: {
    type: 'string',
    arg: SENTIMENT_METHODS.join('|'),
    choices: SENTIMENT_METHODS,
    default: 'pet',
    help: "training method (PET: ChnSentiCorp's template and label words 不/很)",
  },
  epochs: { type: 'number', arg: 'N', default: 1, help: 'passes over the mix (--max-steps wins when set)' },
  maxSteps: { type: 'number', arg: 'N', help: 'optimiser steps of the run (the schedule decays over them)' },
  maxMinutes: {
    type: 'number',
    arg: 'N',
    help: 'stop training after N minutes with a checkpoint (--resume continues), then export and score',
  },
  batchSize: { type: 'number', arg: 'N', default: 16, help: 'reviews per optimiser step' },
  lr: { type: 'number', arg: 'X', default: 2e-4, help: 'learning rate (AdamW, 6% warm-up, linear decay)' },
  maxSeqLen: { type: 'number', arg: 'N', default: 128, help: 'tokens per review with the template (longer: cut)' },
  evalEvery: { type: 'number', arg: 'N', default: 200, help: 'score the selection slice every N steps (best kept)' },
  selectionSize: {
    type: 'number',
    arg: 'N',
    default: 240,
    help: 'class-balanced dev reviews (from every dev set) that choose the checkpoint, scored with tfjs',
  },
  checkpointEvery: { type: 'number', arg: 'N', default: 200, help: 'write a checkpoint every N optimiser steps' },
  biasOn: {
    type: 'string',
    arg: 'all|chnsenticorp',
    choices: ['all', 'chnsenticorp'],
    default: 'all',
    help: 'dev reviews the decision bias balances the recalls on: every dev set pooled, or ChnSentiCorp dev',
  },
  maxRecallGap: {
    type: 'number',
    arg: 'X',
    default: 5,
    help: "--ship's second condition: the two classes' test recalls at most X points apart",
  },
  limit: { type: 'number', arg: 'N', help: 'the first N reviews of each source only (smoke runs)' },
  seed: { type: 'number', arg: 'N', default: 42, help: 'seed of the mix, the dev slices, dropout and order' },
  precision: {
    type: 'string',
    arg: PRECISIONS.join('|'),
    choices: PRECISIONS,
    default: 'int8',
    help: "the bundle's encoder weights",
  },
  wordEmbeddings: {
    type: 'string',
    arg: 'int8-rows|float',
    choices: ['int8-rows', 'float'],
    default: 'int8-rows',
    help: "the bundle's word-embedding table: int8 rows with a scale each (about 10 MB instead of 25), or float",
  },
  resume: { type: 'boolean', default: false, help: 'continue from OUT/checkpoint after an interruption' },
  exportOnly: {
    type: 'boolean',
    default: false,
    help: 're-export and re-score a finished run (OUT/run), choosing the bias again, without training',
  },
  bundleFrom: {
    type: 'string',
    arg: 'DIR',
    help:
      'take the encoder bundle from DIR (an exported or the shipped one: bundle.json, model.onnx, tokenizer/) ' +
      'instead of training and exporting; its n-gram model, weight and bias are chosen again',
  },
  ngram: {
    type: 'boolean',
    default: true,
    help: "add a character n-gram model (NBSVM, ngram.ts) trained on the mix, its margin's weight chosen on dev",
  },
} as const satisfies Record<string, Setting>;

/** What {@link SENTIMENT_SETTINGS} declares: the settings with a default are always set. */
export type SentimentTrainOptions = SettingsValues<typeof SENTIMENT_SETTINGS>;

/**
 * The options with the table's defaults filled in; a value outside a setting's choices is a ConfigError.
 * @example resolveSentimentTrainOptions({ lr: 1e-4 }).maxSeqLen; // 128
 */
export function resolveSentimentTrainOptions(options: Partial<SentimentTrainOptions> = {}): SentimentTrainOptions {
  return resolveSettings(SENTIMENT_SETTINGS, options);
}
