/**
 * The `text_correction` recipe: trains the spelling corrector's network (train-data.ts: the data and the pruned
 * masked LM) on the framework's `Trainer` through {@link CscObjective}, then exports and evaluates it (evaluate.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../framework/backend/select.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { saveStateDict } from '../../../framework/checkpoint/state-dict.js';
import { ConfigError } from '../../../framework/errors.js';
import { log } from '../../../framework/log.js';
import { bertConfigToJson, type BertConfig } from '../../../framework/model/config.js';
import { writeVocab } from '../../../framework/pretrain/vocab.js';
import { SeededRandom } from '../../../framework/random.js';
import { type FitResult, Trainer, type TrainerOptions } from '../../../framework/trainer/trainer.js';
import { encodePairs, lengthBuckets } from './batches.js';
import { type CscTestMetrics, exportAndEvaluate } from './evaluate.js';
import type { CscModel } from './model.js';
import { type CscBucket, CscObjective } from './objective.js';
import { baseModelInfo, type CscData, type CscTrainConfig, loadCscModel, prepareCscData } from './train-data.js';
import {
  phaseList,
  resolveTextCorrectionOptions,
  TRAIN_PHASES,
  type TextCorrectionTrainOptions,
} from './train-options.js';

export type { CscTrainConfig } from './train-data.js';

/** The run directory's `model/` (encoder + heads + vocabulary + confusion set), `dev.json` and `train.json`. */
export interface CscTrainResult {
  readonly steps: number;
  readonly minutes: number;
  /** Mean training loss per 20 steps. */
  readonly losses: number[];
  readonly dir: string;
  /** Stopped by `maxMinutes` (a checkpoint in `out/checkpoint` that `resume` continues). */
  readonly interrupted: boolean;
}

/** What {@link trainTextCorrection} returns. */
export interface TextCorrectionTrainResult {
  readonly out: string;
  /** The training run, when `train` ran. */
  readonly train?: CscTrainResult;
  /** SIGHAN-2015 test through the exported model, when `eval` ran. */
  readonly test?: CscTestMetrics;
  /** Where the exported model was copied, with `bundle`. */
  readonly bundle?: string;
}

/** The corpora synthetic errors are made from, under the data folder's `corpora/`. */
const SYNTHETIC_CORPORA = ['clue_corpus_small_sampled.txt', 'thucnews_train.txt', 'waimai_10k.csv'];

/**
 * The `text_correction` recipe: trains the network (OUT/model), exports it with thresholds chosen on the dev slice
 * (OUT/export; with `bundle` copied there too) and scores it on SIGHAN-2015 test (OUT/eval.json), as `phases` asks.
 *
 *   fewprompt taskflow-train text_correction --out runs/csc --phases train --max-minutes 40
 *   fewprompt taskflow-train text_correction --out runs/csc --phases export,eval \
 *     --bundle models/taskflow/text-correction
 * @example (await trainTextCorrection({ out: 'runs/csc', maxSteps: 450 })).test?.confusion?.correction.f1; // 0.107
 */
export async function trainTextCorrection(
  options: Partial<TextCorrectionTrainOptions> = {},
): Promise<TextCorrectionTrainResult> {
  const o = resolveTextCorrectionOptions(options);
  const phases = phaseList(o.phases, TRAIN_PHASES);
  const data = (...path: string[]) => join(o.data, ...path);
  let train: CscTrainResult | undefined;
  if (phases.includes('train')) {
    await initBackend();
    train = await trainCsc({
      ...o,
      sighanInput: data('csc/sighan13-15_train_input.txt'),
      sighanTruth: data('csc/sighan13-15_train_truth.txt'),
      pinyin: data('csc/same_pinyin.txt'),
      stroke: data('csc/same_stroke.txt'),
      corpora: SYNTHETIC_CORPORA.map((f) => data('corpora', f)),
      cropChars: o.crop,
    });
  }
  const exported = phases.includes('export') || phases.includes('eval');
  const bundle = exported ? o.bundle : undefined;
  const test = exported
    ? await exportAndEvaluate({
        run: o.out,
        data: o.data,
        precision: o.precision,
        phases,
        ...(bundle === undefined ? {} : { exportTo: bundle }),
      })
    : undefined;
  return { out: o.out, ...(train ? { train } : {}), ...(test ? { test } : {}), ...(bundle ? { bundle } : {}) };
}

/** Steps per logged loss mean (train.json's `losses`, the detection / correction log line). */
const LOG_EVERY = 20;

/**
 * Trains per `config` on the framework's `Trainer`: length buckets of `batchSize` sentences (one optimiser step
 * each, shuffled per epoch), AdamW with 5% linear warm-up and linear decay over `maxSteps`, weight decay 0.01 on the
 * encoder's weights, gradient clipping at 1. Writes `config.out/model` every 10 minutes and at the end; at
 * `maxMinutes` the trainer stops with a checkpoint in `config.out/checkpoint` that `resume` continues.
 * @example await trainCsc({ ...config, out: '/work/runs/csc/run1', maxMinutes: 40 }); // → { steps: 210, … }
 */
export async function trainCsc(config: CscTrainConfig): Promise<CscTrainResult> {
  const rng = new SeededRandom(config.seed);
  const { tokens, vocab, bertConfig, csc } = loadCscModel(config);
  const data = prepareCscData(config, tokens, rng);
  const encoded = encodePairs(
    data.pairs,
    vocab,
    config.maxSeqLen - 2,
    config.cropChars > 0 ? { chars: config.cropChars, rng } : undefined,
  );
  const buckets: CscBucket[] = lengthBuckets(
    encoded.map((e) => e.source.length),
    config.batchSize,
    rng,
  ).map((rows) => ({ rows: rows.map((i) => encoded[i]!) }));
  const modelDir = join(config.out, 'model');
  mkdirSync(config.out, { recursive: true });
  writeFileSync(join(config.out, 'dev.json'), JSON.stringify(data.devSet));
  const run: CscRun = {
    config,
    modelDir,
    csc,
    bertConfig,
    tokens,
    data,
    base: baseModelInfo(config.model),
    started: Date.now(),
    losses: [],
  };
  const objective = new CscObjective(csc, vocab, { lr: config.lr, keepRate: config.keepRate });
  let fit: FitResult;
  try {
    fit = await new Trainer(objective, trainerOptions(run, objective)).fit(buckets, []);
    run.losses.push(...lossMeans(fit.history));
    saveRun(run, fit.steps);
  } finally {
    objective.dispose();
    csc.dispose();
  }
  const minutes = (Date.now() - run.started) / 60000;
  return { steps: fit.steps, minutes, losses: run.losses, dir: modelDir, interrupted: fit.interrupted };
}

/**
 * The trainer's settings for a run, and its per-step hook: a non-finite loss ends the run, the loss parts are logged
 * every {@link LOG_EVERY} steps, the model directory is written every 10 minutes, and `maxMinutes` stops the run.
 */
function trainerOptions(run: CscRun, objective: CscObjective): TrainerOptions<CscBucket> {
  const { config } = run;
  let lastSave = run.started;
  return {
    maxSteps: config.maxSteps,
    batchSize: 1,
    seed: config.seed,
    warmupRatio: 0.05,
    maxGradNorm: 1,
    checkpointDir: join(config.out, 'checkpoint'),
    resume: config.resume ?? false,
    identity: { recipe: 'text_correction', model: config.model, keepRate: config.keepRate },
    label: 'csc',
    onStep: ({ step, loss }) => {
      if (!Number.isFinite(loss))
        throw new ConfigError(`loss became ${loss} at step ${step}; lower --lr (${config.lr})`);
      if (step % LOG_EVERY === 0) {
        const parts = objective.takeLossParts();
        if (parts)
          log.info(
            `csc step ${step}: detection loss ${parts.detection.toFixed(4)}, correction ${parts.correction.toFixed(4)}`,
          );
      }
      if (Date.now() - lastSave >= 10 * 60_000) {
        saveRun(run, step);
        lastSave = Date.now();
      }
      return Date.now() - run.started >= config.maxMinutes * 60_000 ? 'stop' : undefined;
    },
  };
}

/** Mean training loss per {@link LOG_EVERY} steps (a last partial window is left out, as the old loop's log did). */
function lossMeans(history: FitResult['history']): number[] {
  const losses = history.flatMap((h) => (h.loss === undefined ? [] : [h.loss]));
  const means: number[] = [];
  for (let at = 0; at + LOG_EVERY <= losses.length; at += LOG_EVERY)
    means.push(losses.slice(at, at + LOG_EVERY).reduce((a, b) => a + b, 0) / LOG_EVERY);
  return means;
}

/** One training run: what `saveRun` writes. */
interface CscRun {
  readonly config: CscTrainConfig;
  readonly modelDir: string;
  readonly csc: CscModel;
  readonly bertConfig: BertConfig;
  readonly tokens: readonly string[];
  readonly data: CscData;
  readonly base: ReturnType<typeof baseModelInfo>;
  /** When training started (ms). */
  readonly started: number;
  /** Mean loss per 20 steps, filled at the end of the run. */
  readonly losses: number[];
}

/** Writes the model directory (weights, config, vocabulary, confusion set) and `train.json`. */
function saveRun(run: CscRun, step: number): void {
  const { config, modelDir, data } = run;
  saveStateDict(modelDir, run.csc.stateDict() as ReadonlyMap<string, HostTensor>, { dtype: 'F32' });
  writeFileSync(join(modelDir, 'config.json'), `${JSON.stringify(bertConfigToJson(run.bertConfig), null, 2)}\n`);
  writeVocab(join(modelDir, 'vocab.txt'), run.tokens);
  writeFileSync(join(modelDir, 'confusion.txt'), data.confusion.serialize());
  const report = {
    config,
    base: run.base,
    step,
    minutes: (Date.now() - run.started) / 60000,
    losses: run.losses,
    data: {
      sighan: data.train.length,
      cleanSighan: data.clean.length,
      synthetic: data.synthetic.length,
      dev: data.devSet.length,
    },
  };
  writeFileSync(join(config.out, 'train.json'), `${JSON.stringify(report, null, 2)}\n`);
}
