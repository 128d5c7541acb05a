/**
 * The poetry GPT recipe's settings, each declared once with its type, default and help: `trainPoetryGpt` fills the
 * defaults from this table, and `fewprompt taskflow-train poetry_generation` derives its flags (`evalEvery` →
 * `--eval-every`) and `--help` from it. The shipped model's own values are in models/poetry-gpt-zh/MODEL_CARD.md.
 */
import { NORMALIZATIONS } from './gpt-config.js';
import { resolveSettings, type Setting, type SettingsValues } from '../../../framework/settings.js';

export const POETRY_SETTINGS = {
  corpus: {
    type: 'string',
    arg: 'DIR',
    default: '../shared/corpora/tang_poetry',
    help: 'chinese-poetry 全唐诗 JSON (poet.tang.N.json); read once into --data when that folder has no train.txt',
  },
  data: {
    type: 'string',
    arg: 'DIR',
    default: 'runs/poetry/data',
    help: 'prepared poems: train.txt, heldout.txt (1% by content hash), stats.json',
  },
  out: {
    type: 'string',
    arg: 'DIR',
    default: 'runs/poetry/model',
    help: 'run folder: the model directory (F32), training_report.json, heldout-curve.jsonl, checkpoint/',
  },
  ship: {
    type: 'string',
    arg: 'DIR',
    help: 'write the model there in F16 with evaluation.json and the loss curve (shipped: models/poetry-gpt-zh)',
  },
  minCount: { type: 'number', arg: 'N', default: 3, help: 'characters seen fewer times in training become [UNK]' },
  seq: { type: 'number', arg: 'N', default: 72, help: 'tokens per packed row (whole poems, positions reset at [BOS])' },
  layers: { type: 'number', arg: 'N', default: 4, help: 'transformer blocks' },
  hidden: { type: 'number', arg: 'N', default: 256, help: 'hidden size (the FFN is 4×; one head per 64)' },
  normalization: {
    type: 'string',
    arg: NORMALIZATIONS.join('|'),
    choices: NORMALIZATIONS,
    default: 'pre',
    help: 'LayerNorm before each sub-layer (GPT-2) or after the residual sum',
  },
  dropout: { type: 'number', arg: 'X', default: 0, help: 'dropout on embeddings, attention and sub-layer outputs' },
  steps: { type: 'number', arg: 'N', default: 3000, help: 'optimiser steps (the cosine schedule decays over them)' },
  batch: { type: 'number', arg: 'N', default: 32, help: 'packed rows per optimiser step' },
  lr: { type: 'number', arg: 'X', default: 1e-3, help: 'peak learning rate (5% warm-up, then cosine decay)' },
  weightDecay: {
    type: 'number',
    arg: 'X',
    default: 0.01,
    help: "AdamW's decoupled weight decay (not on norms, biases)",
  },
  evalEvery: {
    type: 'number',
    arg: 'N',
    default: 200,
    help: 'steps between evaluations: dev next-character accuracy and the held-out loss (heldout-curve.jsonl)',
  },
  devSize: { type: 'number', arg: 'N', default: 512, help: 'random held-out prefixes for next-character accuracy' },
  maxMinutes: {
    type: 'number',
    arg: 'N',
    help: 'stop training after N minutes with a checkpoint (--resume continues), then evaluate and write out',
  },
  limit: { type: 'number', arg: 'N', help: 'the first N training poems only (smoke runs)' },
  seed: { type: 'number', arg: 'N', default: 7, help: 'seed of initialisation, dropout, batch order and dev prefixes' },
  resume: { type: 'boolean', default: false, help: 'continue from OUT/checkpoint after an interruption (SIGINT)' },
  finalize: {
    type: 'boolean',
    default: false,
    help: "no training: evaluate the run's last checkpoint and write it out (and to --ship)",
  },
} as const satisfies Record<string, Setting>;

/** What {@link POETRY_SETTINGS} declares: the settings with a default are always set. */
export type PoetryTrainOptions = SettingsValues<typeof POETRY_SETTINGS>;

/**
 * The options with the table's defaults filled in.
 * @example resolvePoetryTrainOptions({ steps: 100 }).batch; // 32
 */
export function resolvePoetryTrainOptions(options: Partial<PoetryTrainOptions> = {}): PoetryTrainOptions {
  return resolveSettings(POETRY_SETTINGS, options);
}
