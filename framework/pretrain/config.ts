/**
 * Everything a pretraining run is configured by, JSON-safe (it is stored in every checkpoint and
 * logged as MLflow params). Each setting is declared once in {@link PRETRAIN_SETTINGS} (type, default, bounds, help,
 * flag); the interface below is the typed shape the run reads.
 */
import { ConfigError } from '../errors.js';
import { SCHEDULES, type ScheduleKind } from '../optim/schedule.js';
import { resolveSettingsInput, type Setting } from '../settings.js';
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
  /**
   * `mlm`: masked LM (the model keeps its MLM head, which PET and P-Tuning score label words with); `electra`:
   * replaced-token detection with a small generator (`framework/pretrain/electra.ts`; the discriminator ships
   * without an MLM head, the generator beside it).
   */
  objective: 'mlm' | 'electra';
  /** ELECTRA: the generator's hidden size (heads of 64) and layers (0: as many as the discriminator). */
  generatorHidden: number;
  generatorLayers: number;
  /** ELECTRA: λ, the weight of the discriminator's loss against the generator's. */
  discriminatorWeight: number;
}

/** Every key a flag or config file sets, besides the corpus lists: the table below must declare each one. */
type PretrainSettingKey =
  | Exclude<keyof PretrainConfig, 'corpus' | 'decontaminate' | 'model' | 'clean'>
  | `model.${keyof PretrainModelSize}`
  | `clean.${keyof CleanOptions}`;

const positive = { type: 'integer', min: 1 } as const;

/**
 * Every pretraining setting, declared once: PRETRAIN_DEFAULTS, resolvePretrainConfig's checks, `fewprompt pretrain`'s
 * flags and its `--help` derive from this table (framework/settings.ts). The defaults are the starter's recipe (seq
 * 128, batch 32, lr 5e-4, warm-up 300), 1% held out, 200 eval chunks.
 */
export const PRETRAIN_SETTINGS = {
  out: { type: 'string', arg: 'DIR', help: 'output directory: the model, vocab.txt, training_state.json, checkpoint/' },
  'clean.normalization': { type: 'string', choices: NORMALIZATIONS, default: 'light', help: 'text normalisation' },
  'clean.minChars': { type: 'integer', min: 0, default: 5, help: 'drop documents shorter than this (code points)' },
  'clean.maxChars': { ...positive, default: 100_000, help: 'drop longer documents (usually noise such as tables)' },
  'clean.dedupe': { type: 'boolean', default: true, help: 'drop exact duplicate documents (after normalisation)' },
  'clean.remove': {
    type: 'strings',
    arg: 'STR',
    default: [],
    help: "literal text removed from documents; repeatable (e.g. '#idiom#')",
  },
  maxDocuments: { ...positive, help: 'read only the first N kept documents (smoke runs)' },
  heldoutPercent: {
    type: 'number',
    arg: 'P',
    min: 0,
    max: 100,
    default: 1,
    help: 'documents held out for MLM accuracy',
  },
  init: {
    type: 'string',
    arg: 'DIR',
    help: 'starting model (Hugging Face layout); its vocab.txt is the base vocabulary',
  },
  vocabFile: { type: 'string', arg: 'FILE', help: 'base vocab.txt when there is no --init' },
  vocab: {
    type: 'string',
    choices: VOCAB_KINDS,
    default: 'bert',
    help: 'bert: the base vocabulary as is; corpus: pruned to what the corpus uses (smaller MLM head)',
  },
  minCount: { ...positive, default: 1, help: 'corpus vocab: minimum uses of a multi-character piece' },
  'model.layers': { ...positive, default: 4, help: 'encoder layers of a model built from scratch' },
  'model.hidden': { ...positive, default: 256, help: 'hidden size of a model built from scratch' },
  'model.heads': { ...positive, default: 4, help: 'attention heads of a model built from scratch' },
  'model.ffn': { ...positive, default: 1024, help: 'feed-forward size of a model built from scratch' },
  // 128 as the starter: attention cost grows with its square and short FewCLUE texts need no more.
  maxSeqLen: { type: 'integer', min: 8, max: 512, default: 128, help: 'tokens per training chunk' },
  batchSize: { ...positive, default: 32, help: 'rows per optimisation step' },
  lr: { type: 'number', above: 0, default: 5e-4, help: 'peak learning rate' },
  weightDecay: { type: 'number', min: 0, default: 0.01, help: "AdamW's weight decay" },
  warmupSteps: { type: 'integer', min: 0, default: 300, flag: 'warmup', help: 'learning-rate warm-up steps' },
  schedule: { type: 'string', choices: SCHEDULES, default: 'linear', help: 'learning-rate decay after the warm-up' },
  maxSteps: { ...positive, default: 10_000, help: 'optimisation steps; also the length of the learning-rate decay' },
  maxGradNorm: { type: 'number', above: 0, default: 1, help: 'gradient clipping norm' },
  maxMinutes: {
    type: 'number',
    arg: 'M',
    above: 0,
    help: 'stop (with a checkpoint) after M minutes of this invocation; --resume continues',
  },
  workers: {
    ...positive,
    default: 1,
    flag: 'data-parallel',
    help:
      'N model replicas on worker threads, each taking 1/N of a batch and sharing the cores (batch must divide by ' +
      'N); on the native backend one replica with every core is usually faster (wasm: one core each)',
  },
  gradientAccumulation: {
    ...positive,
    default: 1,
    flag: 'grad-accum',
    help: 'micro-batches per step on this thread (a batch of --batch-size rows, 1/N of it in memory at a time)',
  },
  objective: {
    type: 'string',
    choices: ['mlm', 'electra'],
    default: 'mlm',
    help: 'mlm: masked LM (keeps the MLM head PET scores with); electra: replaced-token detection with a generator',
  },
  generatorHidden: { type: 'integer', min: 64, default: 64, help: 'ELECTRA: generator hidden size (heads of 64)' },
  generatorLayers: { type: 'integer', min: 0, default: 0, help: "ELECTRA: generator layers (0: the model's)" },
  discriminatorWeight: { type: 'number', above: 0, default: 50, help: "ELECTRA: weight of the discriminator's loss" },
  checkpointMinutes: { type: 'number', arg: 'M', above: 0, default: 10, help: 'minutes between checkpoints' },
  evalEvery: { ...positive, default: 500, help: 'held-out evaluation every N steps (and at the start and end)' },
  evalChunks: { ...positive, default: 200, help: 'held-out chunks evaluated' },
  logEvery: { ...positive, default: 10, help: 'metrics line and MLflow metrics every N steps' },
  wwm: { type: 'boolean', default: true, help: 'whole-word masking with jieba (character masking without jieba)' },
  maskProbability: { type: 'number', above: 0, max: 1, default: 0.15, help: 'share of tokens masked' },
  seed: { type: 'integer', default: 42, help: 'seed of initialisation, data order, masks and dropout' },
  saveDtype: { type: 'string', choices: ['F32', 'F16'], default: 'F32', help: 'float type of the final weights' },
  track: { type: 'boolean', default: true, help: 'log to MLflow through createTracker()' },
  experimentName: { type: 'string', arg: 'NAME', default: 'pretrain', flag: 'experiment', help: 'MLflow experiment' },
} as const satisfies Record<PretrainSettingKey, Setting>;

/**
 * Defaults: {@link PRETRAIN_SETTINGS}' defaults (the starter's recipe).
 * @example { ...PRETRAIN_DEFAULTS, corpus: [{ path: 'corpora/*.txt' }], out: 'runs/zh-mini' }
 */
export const PRETRAIN_DEFAULTS = resolveSettingsInput(PRETRAIN_SETTINGS, {}) as Omit<PretrainConfig, 'corpus' | 'out'>;

/** A partial config as a `--config` file or CLI flags give it (model size may be partial too). */
export type PretrainConfigInput = Partial<Omit<PretrainConfig, 'model'>> & { model?: Partial<PretrainModelSize> };

/**
 * A full config from a partial one (a `--config` JSON file or CLI flags), checked.
 * @example resolvePretrainConfig({ corpus: [{ path: 'a.txt' }], out: 'runs/x', maxSteps: 6 }).batchSize // → 32
 */
export function resolvePretrainConfig(partial: PretrainConfigInput, source = 'pretrain config'): PretrainConfig {
  const fail = (msg: string): never => {
    throw new ConfigError(`${source}: ${msg}`);
  };
  // Each setting is checked against its declaration; what follows are the checks across fields.
  const config = {
    ...partial,
    corpus: partial.corpus ?? [],
    out: partial.out ?? '',
    ...resolveSettingsInput(PRETRAIN_SETTINGS, partial, source),
  } as PretrainConfig;
  if (config.corpus.length === 0) fail('corpus is empty; give at least one file or glob');
  for (const c of [...config.corpus, ...(config.decontaminate ?? [])]) {
    if (typeof c.path !== 'string' || c.path === '') fail(`corpus entry ${JSON.stringify(c)} needs a path`);
    if (c.format !== undefined && !(CORPUS_FORMATS as readonly string[]).includes(c.format))
      fail(`corpus format '${c.format}' unknown; expected one of ${CORPUS_FORMATS.join(', ')}`);
    if (c.weight !== undefined && !(typeof c.weight === 'number' && Number.isFinite(c.weight) && c.weight >= 0))
      fail(`corpus entry '${c.path}': weight must be a number ≥ 0, got ${JSON.stringify(c.weight)}`);
  }
  if (config.out === '') fail('out (output directory) is required');
  if (config.init === undefined && config.vocabFile === undefined)
    fail('give init (a starting model) or vocabFile (a vocab.txt)');
  if (config.model.hidden % config.model.heads !== 0)
    fail(`model.hidden ${config.model.hidden} is not divisible by model.heads ${config.model.heads}`);
  if (config.batchSize % config.workers !== 0)
    fail(`batchSize ${config.batchSize} must be a multiple of workers ${config.workers} (one equal shard per worker)`);
  if (config.batchSize % config.gradientAccumulation !== 0)
    fail(
      `batchSize ${config.batchSize} must be a multiple of gradientAccumulation ${config.gradientAccumulation} ` +
        '(equal micro-batches)',
    );
  if (config.objective === 'electra' && config.workers > 1)
    fail(`objective electra runs on this thread; workers ${config.workers} (data parallelism) is for mlm`);
  if (config.generatorHidden % 64 !== 0) fail(`generatorHidden ${config.generatorHidden} is not a multiple of 64`);
  if (config.gradientAccumulation > 1 && config.workers > 1)
    fail(
      `gradientAccumulation ${config.gradientAccumulation} and workers ${config.workers}: ` +
        'use one or the other (workers already split each batch)',
    );
  return config;
}
