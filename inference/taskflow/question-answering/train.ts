/**
 * The `question_answering` training recipe: the span reader (span-model.ts) on CMRC 2018 trial and DRCD (corpus.ts,
 * decontaminated against CMRC 2018 dev) from a pretrained encoder, scored by CMRC 2018's EM / F1 on its dev set
 * (evaluate.ts) with tfjs and, with `bundle`, as the exported bundle on ONNX Runtime.
 *
 *   nice -n 10 fewprompt taskflow-train question_answering --out /work/runs/qa --max-minutes 30 \
 *     --bundle models/taskflow/question-answering
 *   fewprompt taskflow-train question_answering --out RUN --bundle DIR --export-only     # re-export a finished run
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../framework/backend/select.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { readSafetensors, writeSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { elapsedLog, type TrainHooks } from '../train-settings.js';

export type { TrainHooks } from '../train-settings.js';
import { loadStateDict } from '../../../framework/checkpoint/state-dict.js';
import { resolveModel } from '../../../framework/hub/resolve.js';
import { BertModel } from '../../../framework/model/bert.js';
import { readBertConfig, type BertConfig } from '../../../framework/model/config.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { Trainer, type FitResult } from '../../../framework/trainer/trainer.js';
import { writeQaBundle } from './bundle.js';
import { readQaTraining, trainWindows, OVERLAP_CHARS } from './corpus.js';
import { bestAnswer, type QaAnswer, type SpanDecodeOptions, type WindowLogits } from './decode.js';
import { scoreAnswers, type QaScores } from './evaluate.js';
import { checkWindowOptions, QaFeaturizer, type QaWindowOptions, typesNeeded } from './features.js';
import { QuestionAnswerer } from './reader.js';
import { SpanExtractor } from './span-model.js';
import { readSquad, type QaExample } from './squad.js';
import { resolveQaTrainOptions, type QuestionAnsweringTrainOptions } from './train-options.js';

/** `OUT/reader-run.json`: what exporting a finished run needs (with `OUT/tokenizer/`) and how it was trained. */
export interface QaRunMeta {
  config: BertConfig;
  windows: QaWindowOptions;
  decode: SpanDecodeOptions;
  train: Record<string, unknown>;
  /** CMRC 2018 dev scores of the training graph on the first `tfjsDev` questions. */
  devTfjs?: QaScores;
}

/** What {@link trainQuestionAnswering} returns (the same numbers as `OUT/metrics.json`). */
export interface QuestionAnsweringTrainResult {
  readonly out: string;
  readonly devTfjs?: QaScores;
  /** The bundle written, when `bundle` was given, and its dev scores on ONNX Runtime at its threshold … */
  readonly bundle?: string;
  readonly devOnnx?: QaScores;
  /** … and answering every question (threshold 0). */
  readonly devOnnxAnswerAll?: QaScores;
}

type Options = QuestionAnsweringTrainOptions;
type Log = (message: string) => void;
type Run = { meta: QaRunMeta; weights: Map<string, HostTensor> };

/**
 * Trains (or with `exportOnly` reloads) a reader run in `out`, then with `bundle` writes the ONNX bundle there and
 * scores it on dev. Every option unset takes its default from `QUESTION_ANSWERING_SETTINGS` (train-options.ts).
 * @example
 * const r = await trainQuestionAnswering({ out: 'runs/qa', maxMinutes: 30, bundle: 'runs/qa/bundle' });
 * r.devOnnx; // → { em: 2.73, f1: 12.06, total: 3219, empty: 416 } (the shipped model's; its MODEL_CARD.md)
 */
export async function trainQuestionAnswering(
  options: Partial<Options> = {},
  hooks: TrainHooks = {},
): Promise<QuestionAnsweringTrainResult> {
  const o = resolveQaTrainOptions(options);
  const started = Date.now();
  const log = elapsedLog(hooks, started);
  mkdirSync(o.out, { recursive: true });
  await initBackend();
  const dev = readSquad(o.dev, { allowUnlocated: true }).slice(0, o.devLimit || undefined);
  const files = { weights: join(o.out, 'reader.safetensors'), meta: join(o.out, 'reader-run.json') };
  const run: Run = o.exportOnly
    ? { meta: JSON.parse(readFileSync(files.meta, 'utf8')) as QaRunMeta, weights: readSafetensors(files.weights) }
    : await trainRun(o, dev, log, started);
  if (!o.exportOnly) {
    writeSafetensors(files.weights, run.weights);
    writeFileSync(files.meta, `${JSON.stringify(run.meta, null, 1)}\n`);
  } else run.meta.decode = { ...run.meta.decode, threshold: o.threshold }; // a re-export may move the threshold
  if (o.bundle === undefined) return { out: o.out, devTfjs: run.meta.devTfjs };
  const scored = await exportAndScore(o, o.bundle, run, dev, log);
  return { out: o.out, devTfjs: run.meta.devTfjs, bundle: o.bundle, ...scored };
}

/** Trains the reader; returns its weights and run record (with the tfjs dev scores). */
async function trainRun(o: Options, dev: readonly QaExample[], log: Log, started: number): Promise<Run> {
  const windows: QaWindowOptions = {
    maxSeqLen: o.maxSeqLen,
    docStride: o.docStride,
    maxQuestionTokens: o.maxQuestionTokens,
    tokenTypes: o.tokenTypes,
  };
  const { model, dir } = await loadEncoder(o.model, windows);
  const config = model.config;
  const tokenizer = await BertTokenizer.fromPretrained(dir);
  await tokenizer.save(join(o.out, 'tokenizer')); // the export's (exportOnly needs no --model)
  const featurizer = new QaFeaturizer(tokenizer, windows);
  const set = readQaTraining(o.train, o.trainTraditional, readSquad(o.dev, { allowUnlocated: true }));
  const examples = set.examples.slice(0, o.limit || undefined);
  const data = trainWindows(featurizer, examples, {
    maxAnswerTokens: o.maxAnswerTokens,
    negativeRate: o.negativeRate,
    seed: o.seed,
  });
  const positives = data.windows.filter((w) => w.start > 0).length;
  log(
    `train: ${set.read} questions read, ${set.contaminated} dropped (passage shares ${OVERLAP_CHARS} characters ` +
      `with dev), ${examples.length} used, ${data.unfit} unfit; ${data.windows.length} windows ` +
      `(${positives} holding their answer)`,
  );
  const reader = new SpanExtractor(model, featurizer, { lr: o.lr, headLr: o.headLr, seed: o.seed });
  const deadline = o.maxMinutes === undefined ? Infinity : Date.now() + o.maxMinutes * 60_000;
  const fit = await new Trainer(reader, {
    epochs: o.epochs,
    ...(o.maxSteps ? { maxSteps: o.maxSteps } : {}),
    batchSize: o.batchSize,
    seed: o.seed,
    warmupRatio: 0.1,
    checkpointDir: join(o.out, 'checkpoint'),
    checkpointEvery: o.checkpointEvery,
    resume: o.resume,
    identity: { task: 'question_answering', model: o.model, windows, maxAnswerTokens: o.maxAnswerTokens },
    label: 'qa',
    onStep: () => (Date.now() > deadline ? 'stop' : undefined),
  }).fit(data.windows, []);
  log(`trained ${fit.steps} steps${fit.interrupted ? ' (stopped: time limit or SIGINT; --resume continues)' : ''}`);
  const decode: SpanDecodeOptions = { maxAnswerTokens: o.maxAnswerTokens, threshold: o.threshold };
  const tfjsDev = dev.slice(0, o.tfjsDev);
  const devTfjs = scoreAnswers(tfjsDev, answerWithTfjs(reader, tfjsDev, decode.maxAnswerTokens), o.threshold);
  log(`dev (tfjs, first ${tfjsDev.length} questions): ${JSON.stringify(devTfjs)}`);
  const counts = { read: set.read, contaminated: set.contaminated, used: examples.length, unfit: data.unfit };
  const train = trainRecord(o, { ...counts, windows: data.windows.length, positives }, fit, started);
  const weights = reader.snapshot();
  model.dispose();
  reader.dispose();
  return { meta: { config, windows, decode, train, devTfjs }, weights };
}

/**
 * The pretrained encoder, without pooler and MLM head, with as many token types as the windows need: a new type's
 * embedding starts as a copy of type 1's (the passage's), so the pretrained model's outputs are unchanged at first.
 */
async function loadEncoder(idOrPath: string, windows: QaWindowOptions): Promise<{ model: BertModel; dir: string }> {
  const dir = await resolveModel(idOrPath);
  const pretrained = readBertConfig(dir);
  const types = Math.max(pretrained.typeVocabSize, typesNeeded(windows));
  const config: BertConfig = { ...pretrained, typeVocabSize: types };
  checkWindowOptions(windows, config.maxPositionEmbeddings - config.positionOffset);
  const state = loadStateDict(dir);
  const key = 'embeddings.token_type_embeddings.weight';
  const table = state.get(key);
  if (table?.dtype === 'float32' && table.shape[0]! < types) {
    const [rows, hidden] = table.shape as [number, number];
    const grown = new Float32Array(types * hidden);
    grown.set(table.data);
    for (let r = rows; r < types; r++) grown.set(table.data.subarray(hidden * (rows - 1), hidden * rows), r * hidden);
    state.set(key, { dtype: 'float32', shape: [types, hidden], data: grown });
  }
  return { model: BertModel.fromStateDict(config, state, { pooler: false, mlmHead: false }), dir };
}

/** Answers (threshold 0) with the training graph, `batchSize` windows at a time. */
function answerWithTfjs(reader: SpanExtractor, examples: readonly QaExample[], maxAnswerTokens: number): QaAnswer[] {
  return examples.map((x) => {
    const windows = reader.featurizer.windows(x.question, x.context);
    const logits: WindowLogits[] = [];
    for (let from = 0; from < windows.length; from += 16) {
      const chunk = windows.slice(from, from + 16);
      const batch = reader.makeBatch(chunk.map((window) => ({ window, start: 0, end: 0 })));
      const { start, end } = reader.spanLogits(batch);
      reader.disposeBatch(batch);
      const w = batch.width;
      chunk.forEach((_, b) =>
        logits.push({ start: start.subarray(b * w, (b + 1) * w), end: end.subarray(b * w, (b + 1) * w) }),
      );
    }
    return bestAnswer(x.context, windows, logits, { maxAnswerTokens, threshold: 0 });
  });
}

/** `reader-run.json`'s `train`: the data, the settings, the encoder and the loss curve. */
function trainRecord(
  o: Options,
  counts: Record<string, number>,
  fit: FitResult,
  started: number,
): Record<string, unknown> {
  const losses = fit.history.filter((h) => h.loss !== undefined);
  const tail = losses.slice(-50);
  const weightsFile = join(o.model, 'model.safetensors');
  return {
    files: { simplified: o.train, traditional: o.trainTraditional, converted: 'opencc-js tw → cn' },
    decontaminated: { against: o.dev, overlapChars: OVERLAP_CHARS },
    ...counts,
    epochs: o.epochs,
    maxSteps: o.maxSteps,
    maxMinutes: o.maxMinutes,
    steps: fit.steps,
    stoppedEarly: fit.interrupted,
    negativeRate: o.negativeRate,
    tokenTypes: o.tokenTypes,
    batchSize: o.batchSize,
    lr: o.lr,
    headLr: o.headLr,
    warmupRatio: 0.1,
    schedule: 'linear',
    seed: o.seed,
    encoder: o.model,
    encoderSha256: existsSync(weightsFile)
      ? createHash('sha256').update(readFileSync(weightsFile)).digest('hex')
      : undefined,
    finalLoss: tail.reduce((a, h) => a + h.loss!, 0) / Math.max(1, tail.length),
    wallSeconds: Math.round((Date.now() - started) / 1000),
    lossCurve: losses.map((h) => [h.step, Math.round(h.loss! * 1000) / 1000]),
  };
}

/** Writes the bundle, scores it on dev with ONNX Runtime, records the scores in `qa.json` and `metrics.json`. */
async function exportAndScore(
  o: Options,
  dir: string,
  run: Run,
  dev: readonly QaExample[],
  log: Log,
): Promise<{ devOnnx: QaScores; devOnnxAnswerAll: QaScores }> {
  const { meta } = run;
  const tokenizer = await BertTokenizer.fromPretrained(join(o.out, 'tokenizer'));
  await writeQaBundle(dir, {
    config: meta.config,
    weights: run.weights,
    tokenizer,
    windows: meta.windows,
    decode: meta.decode,
    precision: o.precision,
    source: { train: { ...meta.train, lossCurve: undefined }, dev: { file: o.dev, tfjs: meta.devTfjs } },
  });
  const reader = await QuestionAnswerer.load(dir);
  const t0 = Date.now();
  const answers = await reader.answer(dev, { threshold: 0 });
  await reader.release();
  const devOnnx = scoreAnswers(dev, answers, meta.decode.threshold);
  const devOnnxAnswerAll = scoreAnswers(dev, answers, 0);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  log(
    `dev (ONNX ${o.precision}, ${seconds}s): ${JSON.stringify(devOnnx)}; ` +
      `answering all: ${JSON.stringify(devOnnxAnswerAll)}`,
  );
  const manifestFile = join(dir, 'qa.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { source: { dev: Record<string, unknown> } };
  Object.assign(manifest.source.dev, { onnx: devOnnx, onnxAnswerAll: devOnnxAnswerAll });
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  const metrics = { devTfjs: meta.devTfjs, devOnnx, devOnnxAnswerAll };
  writeFileSync(join(o.out, 'metrics.json'), `${JSON.stringify(metrics, null, 1)}\n`);
  return { devOnnx, devOnnxAnswerAll };
}
