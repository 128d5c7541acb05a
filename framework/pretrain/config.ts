/**
 * Everything a pretraining run is configured by, JSON-safe (it is stored in every checkpoint and
 * logged as MLflow params), with defaults that say why.
 */
import { ConfigError } from '../errors.js';
import { SCHEDULES, type ScheduleKind } from '../optim/schedule.js';
import { NORMALIZATIONS, type CleanOptions } from './clean.js';
import { CORPUS_FORMATS, type CorpusSource } from './corpus.js';
import { VOCAB_KINDS, type VocabKind } from './prepare.js';

/** Size of a model built from scratch (ignored when `init` names a starting model). */
export interface PretrainModelSize {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
}

export interface PretrainConfig {
  corpus: CorpusSource[];
  /**
   * Texts never to train on, read like `corpus` (FewCLUE's `test_public` / `test` files): a corpus document equal
   * to one of them, after normalisation, is dropped and counted (`contaminated`). FewCLUE's `unlabeled.json`
   * files repeat some test texts, so excluding the test *files* is not enough.
   */
  decontaminate?: CorpusSource[];
  /** Output directory: the final model, `vocab.txt`, `training_state.json` and `checkpoint/`. */
  out: string;
  /** Starting model directory (continued pretraining); its vocab.txt is the base vocabulary. */
  init?: string;
  /** Base vocabulary file when there is no `init` (e.g. bert-base-chinese's vocab.txt). */
  vocabFile?: string;
  vocab: VocabKind;
  /** `corpus` vocab: minimum uses for a multi-character piece. */
  minCount: number;
  model: PretrainModelSize;
  /** 128 as the starter: attention cost grows with its square and short FewCLUE texts need no more. */
  maxSeqLen: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  warmupSteps: number;
  schedule: ScheduleKind;
  /** Optimisation steps; also the length of the learning-rate decay. */
  maxSteps: number;
  /** Wall-clock cap of this invocation: the run checkpoints and stops; `--resume` continues. */
  maxMinutes?: number;
  checkpointMinutes: number;
  /** Held-out evaluation every N steps (and at the start and end). */
  evalEvery: number;
  /** Held-out chunks evaluated (200 as the starter's model card). */
  evalChunks: number;
  heldoutPercent: number;
  /** Whole-word masking with jieba (character masking when jieba is missing). */
  wwm: boolean;
  maskProbability: number;
  maxGradNorm: number;
  seed: number;
  clean: CleanOptions;
  /** Stop reading after this many kept documents (smoke runs). */
  maxDocuments?: number;
  /** Log to MLflow through `createTracker()`. */
  track: boolean;
  experimentName: string;
  /** Float type of the final `model.safetensors`. */
  saveDtype: 'F32' | 'F16';
  /** Metrics line and MLflow metrics every N steps. */
  logEvery: number;
  /**
   * Data-parallel worker threads (each gets cores ÷ workers threads); 1 trains on this thread. The batch is split into
   * `workers` shards; a resume is exact when it uses the same count.
   */
  workers: number;
  /**
   * Micro-batches per step on this thread (batch = `batchSize` rows, `batchSize / gradientAccumulation` in memory at
   * a time): a large batch with one micro-batch's activations in memory. Not combined with `workers`.
   */
  gradientAccumulation: number;
}

/**
 * Defaults: the starter's recipe (seq 128, batch 32, lr 5e-4, warm-up 300), 1% held out, 200 eval chunks.
 * @example { ...PRETRAIN_DEFAULTS, corpus: [{ path: 'corpora/*.txt' }], out: 'runs/zh-mini' }
 */
export const PRETRAIN_DEFAULTS: Omit<PretrainConfig, 'corpus' | 'out'> = {
  vocab: 'bert',
  minCount: 1,
  model: { layers: 4, hidden: 256, heads: 4, ffn: 1024 },
  maxSeqLen: 128,
  batchSize: 32,
  lr: 5e-4,
  weightDecay: 0.01,
  warmupSteps: 300,
  schedule: 'linear',
  maxSteps: 10_000,
  checkpointMinutes: 10,
  evalEvery: 500,
  evalChunks: 200,
  heldoutPercent: 1,
  wwm: true,
  maskProbability: 0.15,
  maxGradNorm: 1,
  seed: 42,
  clean: { normalization: 'light', minChars: 5, maxChars: 100_000, dedupe: true, remove: [] },
  track: true,
  experimentName: 'pretrain',
  saveDtype: 'F32',
  logEvery: 10,
  workers: 1,
  gradientAccumulation: 1,
};

/** A partial config as a `--config` file or CLI flags give it (model size may be partial too). */
export type PretrainConfigInput = Partial<Omit<PretrainConfig, 'model'>> & { model?: Partial<PretrainModelSize> };

/**
 * A full config from a partial one (a `--config` JSON file or CLI flags), checked.
 * @example resolvePretrainConfig({ corpus: [{ path: 'a.txt' }], out: 'runs/x', maxSteps: 6 }).batchSize // → 32
 */
export function resolvePretrainConfig(partial: PretrainConfigInput, source = 'pretrain config'): PretrainConfig {
  const config: PretrainConfig = {
    ...PRETRAIN_DEFAULTS,
    ...partial,
    corpus: partial.corpus ?? [],
    out: partial.out ?? '',
    model: { ...PRETRAIN_DEFAULTS.model, ...partial.model },
    clean: { ...PRETRAIN_DEFAULTS.clean, ...partial.clean },
  };
  const fail = (msg: string): never => {
    throw new ConfigError(`${source}: ${msg}`);
  };
  if (config.corpus.length === 0) fail('corpus is empty; give at least one file or glob');
  for (const c of [...config.corpus, ...(config.decontaminate ?? [])]) {
    if (typeof c.path !== 'string' || c.path === '') fail(`corpus entry ${JSON.stringify(c)} needs a path`);
    if (c.format !== undefined && !(CORPUS_FORMATS as readonly string[]).includes(c.format))
      fail(`corpus format '${c.format}' unknown; expected one of ${CORPUS_FORMATS.join(', ')}`);
  }
  if (config.out === '') fail('out (output directory) is required');
  if (config.init === undefined && config.vocabFile === undefined)
    fail('give init (a starting model) or vocabFile (a vocab.txt)');
  if (!(VOCAB_KINDS as readonly string[]).includes(config.vocab))
    fail(`vocab '${config.vocab}' unknown; expected one of ${VOCAB_KINDS.join(', ')}`);
  if (!(SCHEDULES as readonly string[]).includes(config.schedule))
    fail(`schedule '${config.schedule}' unknown; expected one of ${SCHEDULES.join(', ')}`);
  if (!(NORMALIZATIONS as readonly string[]).includes(config.clean.normalization ?? 'light'))
    fail(`normalization '${config.clean.normalization}' unknown; expected one of ${NORMALIZATIONS.join(', ')}`);
  const positiveInts: (keyof PretrainConfig)[] = [
    'maxSeqLen',
    'batchSize',
    'maxSteps',
    'evalEvery',
    'evalChunks',
    'logEvery',
    'minCount',
    'workers',
    'gradientAccumulation',
  ];
  for (const k of positiveInts) {
    const v = config[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      fail(`${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const [k, v] of Object.entries(config.model))
    if (!Number.isInteger(v) || v <= 0) fail(`model.${k} must be a positive integer, got ${v}`);
  if (config.model.hidden % config.model.heads !== 0)
    fail(`model.hidden ${config.model.hidden} is not divisible by model.heads ${config.model.heads}`);
  if (!(config.lr > 0)) fail(`lr must be > 0, got ${config.lr}`);
  if (!(config.warmupSteps >= 0) || !(config.weightDecay >= 0) || !(config.maxGradNorm > 0))
    fail('warmupSteps and weightDecay must be ≥ 0 and maxGradNorm > 0');
  if (!(config.checkpointMinutes > 0)) fail(`checkpointMinutes must be > 0, got ${config.checkpointMinutes}`);
  if (config.maxMinutes !== undefined && !(config.maxMinutes > 0))
    fail(`maxMinutes must be > 0, got ${config.maxMinutes}`);
  if (!(config.maxSeqLen >= 8 && config.maxSeqLen <= 512))
    fail(`maxSeqLen must be in [8, 512], got ${config.maxSeqLen}`);
  if (config.batchSize % config.workers !== 0)
    fail(`batchSize ${config.batchSize} must be a multiple of workers ${config.workers} (one equal shard per worker)`);
  if (config.batchSize % config.gradientAccumulation !== 0)
    fail(
      `batchSize ${config.batchSize} must be a multiple of gradientAccumulation ${config.gradientAccumulation} ` +
        '(equal micro-batches)',
    );
  if (config.gradientAccumulation > 1 && config.workers > 1)
    fail(
      `gradientAccumulation ${config.gradientAccumulation} and workers ${config.workers}: ` +
        'use one or the other (workers already split each batch)',
    );
  if (config.saveDtype !== 'F32' && config.saveDtype !== 'F16')
    fail(`saveDtype must be F32 or F16, got ${String(config.saveDtype)}`);
  return config;
}
