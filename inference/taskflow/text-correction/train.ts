/**
 * Trains the spelling corrector: a pretrained masked LM (vocabulary pruned to single characters —
 * correction works one character at a time, and the MLM head shrinks from 21,128 to ~8,000 rows),
 * a fresh detection head, SIGHAN 2013–15 training pairs mixed with synthetic errors made from clean
 * corpora and the confusion sets. A slice of SIGHAN training (every `devEvery`-th sentence, plus the
 * clean version of half of them) is held out to tune the decision thresholds.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../framework/backend/select.js';
import { tf } from '../../../framework/backend/tf.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { loadStateDict, saveStateDict } from '../../../framework/checkpoint/state-dict.js';
import { ConfigError } from '../../../framework/errors.js';
import { log } from '../../../framework/log.js';
import { BertModel } from '../../../framework/model/bert.js';
import { bertConfigToJson, readBertConfig, type BertConfig } from '../../../framework/model/config.js';
import { AdamW } from '../../../framework/optim/adamw.js';
import { lrSchedule } from '../../../framework/optim/schedule.js';
import { Rng } from '../../../framework/pretrain/rng.js';
import {
  readVocab,
  remapVocabState,
  SPECIAL_TOKENS,
  vocabMapping,
  writeVocab,
} from '../../../framework/pretrain/vocab.js';
import { errorPositions, readSighanTruthFiles, type CscPair } from './sighan.js';
import { CharVocab } from './char-vocab.js';
import { ConfusionSet } from './confusion.js';
import { buildCscBatch, encodePairs, epochBatches, type EncodedPair } from './batches.js';
import { CscModel } from './model.js';
import { type CscTestMetrics, exportAndEvaluate } from './evaluate.js';
import { corrupt, readCorpusSentences } from './synthetic.js';
import {
  phaseList,
  resolveTextCorrectionOptions,
  TRAIN_PHASES,
  type TextCorrectionTrainOptions,
} from './train-options.js';

/** Everything a training run needs (all paths explicit; the script fills defaults). */
export interface CscTrainConfig {
  readonly model: string;
  readonly out: string;
  readonly sighanInput: string;
  readonly sighanTruth: string;
  readonly pinyin: string;
  readonly stroke: string;
  readonly corpora: readonly string[];
  /** Synthetic sentences to make (default 40,000). */
  readonly synthetic: number;
  /** Share of SIGHAN pairs also given as their clean target (no errors). */
  readonly cleanSighanRate: number;
  readonly devEvery: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly maxSteps: number;
  readonly maxMinutes: number;
  readonly maxSeqLen: number;
  /** Share of right characters whose copy is trained in the correction loss. */
  readonly keepRate: number;
  /** Train on windows of at most this many characters around the first error (0 = whole sentences). */
  readonly cropChars: number;
  readonly seed: number;
}

/** The run directory's `model/` (encoder + heads + vocabulary + confusion set), `dev.json` and `train.json`. */
export interface CscTrainResult {
  readonly steps: number;
  readonly minutes: number;
  readonly losses: number[];
  readonly dir: string;
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

/** Single-character tokens of a vocabulary, after the special tokens. */
export function charTokens(vocab: readonly string[]): string[] {
  return [...SPECIAL_TOKENS, ...vocab.filter((t) => !SPECIAL_TOKENS.includes(t) && Array.from(t).length === 1)];
}

/**
 * Runs training per `config`; writes `config.out/model` every 10 minutes and at the end.
 * @example await trainCsc({ ...defaults, out: '/work/runs/csc/run1', maxMinutes: 40 });
 */
export async function trainCsc(config: CscTrainConfig): Promise<CscTrainResult> {
  const rng = new Rng(config.seed);
  const { tokens, vocab, bertConfig, csc } = loadCscModel(config);
  const data = prepareCscData(config, tokens, rng);
  const encoded = encodePairs(
    data.pairs,
    vocab,
    config.maxSeqLen - 2,
    config.cropChars > 0 ? { chars: config.cropChars, rng } : undefined,
  );
  const opt = new AdamW(
    [
      ...csc.bert.params.decayGroups(config.lr, 0.01),
      { params: [csc.detectW, csc.detectB], lr: config.lr, weightDecay: 0 },
    ],
    { maxGradNorm: 1 },
  );
  const schedule = lrSchedule({
    kind: 'linear',
    warmupSteps: Math.round(config.maxSteps * 0.05),
    totalSteps: config.maxSteps,
  });
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
  const steps = runSteps(run, { opt, schedule, encoded, vocab, rng });
  saveRun(run, steps);
  opt.dispose();
  csc.dispose();
  return { steps, minutes: (Date.now() - run.started) / 60000, losses: run.losses, dir: modelDir };
}

/** The pretrained MLM with its vocabulary pruned to single characters, wrapped with a fresh detection head. */
function loadCscModel(config: CscTrainConfig): {
  tokens: string[];
  vocab: CharVocab;
  bertConfig: BertConfig;
  csc: CscModel;
} {
  const baseVocab = readVocab(join(config.model, 'vocab.txt'));
  const tokens = charTokens(baseVocab);
  const vocab = new CharVocab(tokens);
  const bertConfig = { ...readBertConfig(config.model), vocabSize: tokens.length };
  if (config.maxSeqLen > bertConfig.maxPositionEmbeddings)
    throw new ConfigError(
      `maxSeqLen ${config.maxSeqLen} exceeds the model's ${bertConfig.maxPositionEmbeddings} positions`,
    );
  const state = remapVocabState(
    loadStateDict(config.model),
    vocabMapping(baseVocab, tokens),
    bertConfig.initializerRange,
    config.seed,
  );
  const csc = CscModel.wrap(BertModel.fromStateDict(bertConfig, state, { mlmHead: true, pooler: false }));
  return { tokens, vocab, bertConfig, csc };
}

/** The training and dev pairs, and the confusion set (pinyin, stroke and the SIGHAN training errors). */
interface CscData {
  /** SIGHAN training pairs (all but every `devEvery`-th). */
  readonly train: CscPair[];
  /** Clean targets of a `cleanSighanRate` share of them. */
  readonly clean: CscPair[];
  readonly synthetic: CscPair[];
  /** What is trained on: `train`, `clean` and `synthetic`. */
  readonly pairs: CscPair[];
  /** The held-out SIGHAN pairs plus the clean version of half of them. */
  readonly devSet: CscPair[];
  readonly confusion: ConfusionSet;
}

/** Splits SIGHAN into train and dev, builds the confusion set, and makes the clean and synthetic pairs. */
function prepareCscData(config: CscTrainConfig, tokens: readonly string[], rng: Rng): CscData {
  const sighan = readSighanTruthFiles(config.sighanInput, config.sighanTruth);
  const dev = sighan.filter((_, i) => i % config.devEvery === 0);
  const train = sighan.filter((_, i) => i % config.devEvery !== 0);
  const confusion = new ConfusionSet()
    .addPinyin(readFileSync(config.pinyin, 'utf8'), config.pinyin)
    .addStroke(readFileSync(config.stroke, 'utf8'));
  confusion.addPairs(
    train.flatMap((p) => {
      const s = Array.from(p.source);
      const t = Array.from(p.target);
      return errorPositions(p).map((i): [string, string] => [s[i]!, t[i]!]);
    }),
  );
  const sentences = readCorpusSentences(config.corpora);
  const pool = tokens.filter((t) => /\p{Script=Han}/u.test(t));
  const synthetic: CscPair[] = [];
  for (let k = 0; k < config.synthetic && sentences.length > 0; k++)
    synthetic.push(corrupt(sentences[rng.int(sentences.length)]!, `syn-${k}`, confusion, pool, rng));
  const clean = train
    .filter(() => rng.next() < config.cleanSighanRate)
    .map((p) => ({ id: `${p.id}-clean`, source: p.target, target: p.target }));
  const pairs = [...train, ...clean, ...synthetic];
  const devSet = [
    ...dev,
    ...dev.filter((_, i) => i % 2 === 0).map((p) => ({ id: `${p.id}-clean`, source: p.target, target: p.target })),
  ];
  log.info(
    `csc data: ${train.length} SIGHAN + ${clean.length} clean SIGHAN + ${synthetic.length} synthetic ` +
      `(from ${sentences.length} corpus sentences); dev ${devSet.length}; confusion ${confusion.size} chars; ` +
      `vocab ${tokens.length}`,
  );
  return { train, clean, synthetic, pairs, devSet, confusion };
}

/** The base model `train.json` records: its directory, weights hash and pretraining state. */
function baseModelInfo(model: string): { dir: string; sha256: string | undefined; trainingState: unknown } {
  const baseFile = join(model, 'model.safetensors');
  return {
    dir: model,
    sha256: existsSync(baseFile) ? createHash('sha256').update(readFileSync(baseFile)).digest('hex') : undefined,
    trainingState: existsSync(join(model, 'training_state.json'))
      ? (JSON.parse(readFileSync(join(model, 'training_state.json'), 'utf8')) as unknown)
      : undefined,
  };
}

/** One training run: what `saveRun` writes, and the losses logged so far (a mean per 20 steps). */
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

/**
 * The optimisation loop: epochs of length-bucketed batches until maxSteps or maxMinutes, the loss logged as a mean
 * per 20 steps, the run saved every 10 minutes. Returns the steps run.
 */
function runSteps(
  run: CscRun,
  t: { opt: AdamW; schedule: (step: number) => number; encoded: EncodedPair[]; vocab: CharVocab; rng: Rng },
): number {
  const { config, csc, started, losses } = run;
  const { opt, schedule, encoded, vocab, rng } = t;
  const lengths = encoded.map((e) => e.source.length);
  let lastSave = started;
  let step = 0;
  let window: number[] = [];
  let windowDet = 0;
  let windowCor = 0;
  let windowStart = Date.now();
  outer: for (let epoch = 0; ; epoch++) {
    for (const rows of epochBatches(lengths, config.batchSize, rng)) {
      if (step >= config.maxSteps || Date.now() - started >= config.maxMinutes * 60_000) break outer;
      const batch = buildCscBatch(
        rows.map((i) => encoded[i]!),
        vocab,
        config.keepRate,
        rng,
      );
      const { loss, grads } = csc.lossAndGrads(batch, ((config.seed * 1_000_003 + step) % 2147483646) + 1);
      opt.step(grads, schedule(step));
      tf.dispose(Object.values(grads));
      if (!Number.isFinite(loss.total))
        throw new ConfigError(`loss became ${loss.total} at step ${step}; lower --lr (${config.lr})`);
      step++;
      window.push(loss.total);
      windowDet += loss.detection;
      windowCor += loss.correction;
      if (window.length === 20) {
        const mean = window.reduce((a, b) => a + b, 0) / window.length;
        losses.push(mean);
        log.info(
          `csc step ${step} epoch ${epoch} loss ${mean.toFixed(4)} (detect ${(windowDet / 20).toFixed(4)}, ` +
            `correct ${(windowCor / 20).toFixed(4)}) ${((Date.now() - windowStart) / 20000).toFixed(2)} s/step`,
        );
        window = [];
        windowDet = 0;
        windowCor = 0;
        windowStart = Date.now();
      }
      if (Date.now() - lastSave >= 10 * 60_000) {
        saveRun(run, step);
        lastSave = Date.now();
      }
    }
  }
  return step;
}
