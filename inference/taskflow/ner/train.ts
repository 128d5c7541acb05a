/**
 * The `ner` (accurate) training recipe: token classification (BIO over CLUENER2020's ten types; the model in
 * token-classification.ts) on a pretrained encoder, a fixed number of steps on CLUENER train (no model selection on
 * dev), saved as a run directory; then exported (FP32 and INT8, bundle.ts) and scored on CLUENER dev with ONNX Runtime
 * (token-classifier.ts): exact-match entity precision / recall / F1 (evaluate.ts) — `fp32`, `int8`: constrained
 * Viterbi decoding, the default; `…-argmax`: per-character argmax. With `lacTagSize` > 0 the tag layer also reads
 * LAC's tag of each character (lac-char-tags.ts), computed once up front for training and by the runtime for dev.
 *
 * MSRA first (`msraSteps` > 0): the encoder is first trained as a tagger of MSRA's PER/LOC/ORG (its own tag layer,
 * discarded afterwards; `msraSentences` pieces of at most maxSeqLen − 2 characters drawn with the seed), then on
 * CLUENER: MSRA's three coarse types cannot share CLUENER's tag layer, but the encoder they train can.
 *
 *   fewprompt taskflow-train ner --msra-steps 250 --max-steps 500 --out runs/ner     # the shipped model's recipe
 *   fewprompt taskflow-train ner --out runs/ner --from-checkpoint     # finish a run cut short from its checkpoint
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../framework/backend/select.js';
import { writeSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { ConfigError } from '../../../framework/errors.js';
import { elapsedLog, type TrainHooks } from '../train-settings.js';

export type { TrainHooks } from '../train-settings.js';
import type { BertModel } from '../../../framework/model/bert.js';
import { loadPretrained, savePretrained } from '../../../framework/model/pretrained.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { loadTrainerCheckpoint } from '../../../framework/trainer/checkpoint.js';
import { SeededRandom } from '../../../framework/random.js';
import { Trainer, type FitResult } from '../../../framework/trainer/trainer.js';
import { Lac } from '../lexical-analysis/lac.js';
import { bioTags } from './bio.js';
import { exportTokenBundle } from './bundle.js';
import { CLUENER_TYPES, loadCluener, type NerExample } from './cluener.js';
import { entityF1, type EntityScores } from './evaluate.js';
import { LacCharTagVocab, type LacTagFeatures } from './lac-char-tags.js';
import { chunkExample, loadMsraBio, MSRA_TYPES } from './msra.js';
import { TokenClassificationMethod, type TokenExample } from './token-classification.js';
import { buildLexicon, type EntityLexicon, LEXICON_FILE } from './lexicon.js';
import { loadTokenClassifier } from './token-classifier.js';
import { resolveNerTrainOptions, type NerTrainOptions } from './train-options.js';

/** Dev scores of one bundle and decoding, with the seconds it took. */
export type DevScores = EntityScores & { readonly seconds: number };

/** What {@link trainNer} returns (the numbers of `OUT/metrics.json`). */
export interface NerTrainResult {
  readonly out: string;
  /** `OUT/bundle-int8`: the kind of bundle that ships (its bundle.json carries the metrics). */
  readonly bundle: string;
  readonly steps: number;
  /** CLUENER dev per bundle and decoding: `fp32`, `int8` (Viterbi), `fp32-argmax`, `int8-argmax`. */
  readonly dev: Readonly<Record<string, DevScores>>;
}

type Log = (message: string) => void;
/** What both stages train: the shared encoder, its tokenizer, and LAC when the tag layer reads its tags. */
interface Stage {
  readonly o: NerTrainOptions;
  readonly model: BertModel;
  readonly tokenizer: BertTokenizer;
  readonly lac: Lac | undefined;
  readonly lacTags: LacTagFeatures | undefined;
  readonly log: Log;
}

/**
 * Trains (or with `fromCheckpoint` finishes) a run in `out`, exports it and scores the bundles on dev. Every option
 * unset takes its default from `NER_SETTINGS` (train-options.ts).
 * @example
 * const r = await trainNer({ msraSteps: 250, maxSteps: 500, out: 'runs/ner' });
 * r.dev['int8']?.f1; // 0.533 for the shipped model (models/taskflow/ner/MODEL_CARD.md)
 */
export async function trainNer(
  options: Partial<NerTrainOptions> = {},
  hooks: TrainHooks = {},
): Promise<NerTrainResult> {
  const o = resolveNerTrainOptions(options);
  if (!Number.isInteger(o.lacTagSize) || o.lacTagSize < 0)
    throw new ConfigError(`lacTagSize must be a non-negative integer, got ${o.lacTagSize}`);
  const started = Date.now();
  const log = elapsedLog(hooks, started);
  mkdirSync(o.out, { recursive: true });
  await initBackend();
  const cluenerTrain = loadCluener(o.train);
  const dev = loadCluener(o.dev);
  const lexicon = o.lexicon || o.addLexicon !== undefined ? buildLexicon(cluenerTrain) : undefined;
  if (lexicon) log(`entity lexicon: ${lexicon.size} strings from ${cluenerTrain.length} training sentences`);
  if (o.addLexicon !== undefined) return await addLexicon(o.addLexicon, lexicon!, dev, log);
  const lac = o.lacTagSize > 0 ? await Lac.load(undefined, { workers: 0 }) : undefined;
  try {
    const lacTags = lac ? { tags: [...lac.vocab.tags], size: o.lacTagSize } : undefined;
    // LAC's tag of every training character, computed once up front; dev is tagged by the runtime when scored.
    const train: TokenExample[] = lac ? await withLacTags(lac, cluenerTrain, log) : cluenerTrain;
    const { model, dir } = await loadPretrained(o.model, { parts: { pooler: false, mlmHead: false } });
    const tokenizer = await BertTokenizer.fromPretrained(dir);
    const stage: Stage = { o, model, tokenizer, lac, lacTags, log };
    const msraSeconds = o.msraSteps > 0 && !o.fromCheckpoint ? await trainOnMsra(stage) : 0;
    const t0 = Date.now();
    const fit = await trainOnCluener(stage, train);
    const trainSeconds = o.fromCheckpoint ? Number.NaN : (Date.now() - t0) / 1000;
    log(
      `trained ${fit.steps} steps (${((fit.steps * o.batchSize) / train.length).toFixed(2)} epochs) ` +
        `in ${trainSeconds.toFixed(0)} s`,
    );
    const scores = await scoreBundles(o.out, dev, lac, lexicon);
    const metrics = {
      task: 'cluener2020',
      method: TokenClassificationMethod.kind,
      ...runRecord(o, fit.steps, train.length, trainSeconds, msraSeconds),
      devSentences: dev.length,
      dev: scores,
    };
    writeFileSync(join(o.out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    // Again, now that metrics.json is there: the shipped kind of bundle carries the run's numbers.
    const bundle = join(o.out, 'bundle-int8');
    await exportTokenBundle(o.out, bundle, { precision: 'int8' });
    lexicon?.save(join(bundle, LEXICON_FILE));
    log(JSON.stringify(metrics));
    return { out: o.out, bundle, steps: fit.steps, dev: scores };
  } finally {
    await lac?.close();
  }
}

/** Stage 1: the encoder as a tagger of MSRA's three types for `msraSteps` steps; returns its seconds. */
async function trainOnMsra(stage: Stage): Promise<number> {
  const { o, lac, log } = stage;
  const t = Date.now();
  const pieces = new SeededRandom(o.seed).shuffle(
    loadMsraBio(o.msra)
      .flatMap((e) => chunkExample(e, o.maxSeqLen - 2))
      .filter((p) => p.text.trim() !== ''),
  );
  const chosen: NerExample[] = pieces.slice(0, o.msraSentences).map((p, id) => ({ id, ...p }));
  const msraTrain: TokenExample[] = lac ? await withLacTags(lac, chosen, log) : chosen;
  const msra = methodOf(stage, bioTags(MSRA_TYPES), o.seed + 100);
  const result = await new Trainer(msra, trainerOptions(o, o.msraSteps, 'msra', 'checkpoint-msra')).fit(msraTrain, []);
  msra.dispose(); // its tag layer; the encoder (shared `model`) keeps what it learnt
  writeFileSync(join(o.out, 'history-msra.json'), `${JSON.stringify(result.history)}\n`);
  log(
    `MSRA: ${result.steps} steps on ${msraTrain.length} of ${pieces.length} pieces ` +
      `in ${((Date.now() - t) / 1000).toFixed(0)} s`,
  );
  return (Date.now() - t) / 1000;
}

/**
 * Stage 2: CLUENER for `maxSteps` steps (or the weights of OUT/checkpoint), then the run directory that
 * `exportTokenBundle` reads: model/, method.safetensors, method.json, history.json. Disposes the encoder.
 */
async function trainOnCluener(stage: Stage, train: TokenExample[]): Promise<Pick<FitResult, 'steps' | 'history'>> {
  const { o, model, tokenizer, lacTags } = stage;
  const tags = bioTags(CLUENER_TYPES);
  const method = methodOf(stage, tags, o.seed);
  const fit = o.fromCheckpoint
    ? fromCheckpoint(method, join(o.out, 'checkpoint'))
    : await new Trainer(method, trainerOptions(o, o.maxSteps, 'cluener', 'checkpoint')).fit(train, []);
  savePretrained(model, join(o.out, 'model'));
  await tokenizer.save(join(o.out, 'model'));
  writeSafetensors(
    join(o.out, 'method.safetensors'),
    new Map([...method.snapshot()].filter(([k]) => k.startsWith('method.'))),
  );
  const spec = {
    kind: TokenClassificationMethod.kind,
    dataset: o.msraSteps > 0 ? 'msra (encoder, first) + cluener2020' : 'cluener2020',
    types: [...CLUENER_TYPES],
    tags,
    maxSeqLen: o.maxSeqLen,
    ...(lacTags ? { lacTags } : {}),
  };
  writeFileSync(join(o.out, 'method.json'), `${JSON.stringify(spec, null, 2)}\n`);
  writeFileSync(join(o.out, 'history.json'), `${JSON.stringify(fit.history)}\n`);
  method.dispose();
  model.dispose();
  return fit;
}

/** The token-classification model of a stage: its tag list, the shared encoder, the settings. */
function methodOf(stage: Stage, tags: string[], seed: number): TokenClassificationMethod {
  const { o, model, tokenizer, lacTags } = stage;
  return new TokenClassificationMethod({
    model,
    tokenizer,
    tags,
    maxSeqLen: o.maxSeqLen,
    lr: o.lr,
    headLr: o.headLr,
    seed,
    ...(lacTags ? { lacTags } : {}),
  });
}

function trainerOptions(o: NerTrainOptions, maxSteps: number, data: string, checkpoint: string) {
  return {
    maxSteps,
    batchSize: o.batchSize,
    seed: o.seed,
    warmupRatio: 0.06,
    evalEvery: maxSteps,
    checkpointEvery: o.checkpointEvery,
    label: `${data}/${TokenClassificationMethod.kind}`,
    checkpointDir: join(o.out, checkpoint),
    resume: o.resume,
  };
}

/**
 * Exports the run at FP32 and INT8 (with the lexicon, if any) and scores each on dev: `fp32` / `int8` as the bundle
 * answers (Viterbi, then the lexicon), `…-no-lexicon` (Viterbi alone) and `…-argmax` (each character's top tag).
 */
async function scoreBundles(
  out: string,
  dev: readonly NerExample[],
  lac: Lac | undefined,
  lexicon: EntityLexicon | undefined,
) {
  const scores: Record<string, DevScores> = {};
  for (const precision of ['fp32', 'int8'] as const) {
    const bundle = join(out, `bundle-${precision}`);
    await exportTokenBundle(out, bundle, { precision });
    lexicon?.save(join(bundle, LEXICON_FILE));
    Object.assign(scores, await scoreBundle(bundle, dev, lac));
  }
  return scores;
}

/**
 * Dev scores of one bundle, named after its precision (`int8`, …): as it answers, without its lexicon (when it has
 * one), and with argmax decoding.
 */
async function scoreBundle(
  bundle: string,
  dev: readonly NerExample[],
  lac: Lac | undefined,
): Promise<Record<string, DevScores>> {
  const gold = dev.map((e) => e.entities);
  const texts = dev.map((e) => e.text);
  const ner = await loadTokenClassifier(bundle, lac ? { lac } : {});
  const name = ner.manifest.model.precision;
  const scores: Record<string, DevScores> = {};
  try {
    const ways = [
      [name, { decode: 'viterbi', lexicon: true }],
      ...(ner.lexicon ? [[`${name}-no-lexicon`, { decode: 'viterbi', lexicon: false }] as const] : []),
      [`${name}-argmax`, { decode: 'argmax', lexicon: false }],
    ] as const;
    for (const [key, how] of ways) {
      const t = Date.now();
      const predicted = await ner.predict(texts, { batchSize: 64, ...how });
      scores[key] = { ...entityF1(gold, predicted), seconds: (Date.now() - t) / 1000 };
    }
  } finally {
    await ner.release();
  }
  return scores;
}

/** `addLexicon`: writes the lexicon into an existing bundle and scores it on dev with and without. */
async function addLexicon(
  bundle: string,
  lexicon: EntityLexicon,
  dev: readonly NerExample[],
  log: (msg: string) => void,
): Promise<NerTrainResult> {
  if (!existsSync(join(bundle, 'bundle.json')))
    throw new ConfigError(`addLexicon: ${join(bundle, 'bundle.json')} does not exist (expected a NER bundle)`);
  const file = join(bundle, LEXICON_FILE);
  lexicon.save(file);
  const scores = await scoreBundle(bundle, dev, undefined);
  for (const [key, s] of Object.entries(scores))
    log(
      `${key}: P ${s.precision.toFixed(4)} R ${s.recall.toFixed(4)} F1 ${s.f1.toFixed(4)} (${s.seconds.toFixed(0)} s)`,
    );
  return { out: bundle, bundle, steps: 0, dev: scores };
}

/** The run's settings and sizes, as metrics.json records them. */
function runRecord(o: NerTrainOptions, steps: number, sentences: number, trainSeconds: number, msraSeconds: number) {
  return {
    model: o.model,
    steps,
    epochs: (steps * o.batchSize) / sentences,
    batchSize: o.batchSize,
    maxSeqLen: o.maxSeqLen,
    lr: o.lr,
    headLr: o.headLr,
    seed: o.seed,
    maxSteps: o.maxSteps,
    lacTagSize: o.lacTagSize,
    trainSeconds,
    ...(o.msraSteps > 0
      ? { msra: { file: o.msra, steps: o.msraSteps, sentences: o.msraSentences, seconds: msraSeconds } }
      : {}),
    trainSentences: sentences,
  };
}

/** Examples with LAC's tag id of each character. */
async function withLacTags(lac: Lac, examples: readonly NerExample[], log: Log): Promise<TokenExample[]> {
  const t = Date.now();
  const ids = await new LacCharTagVocab(lac.vocab.tags).textIds(
    lac,
    examples.map((e) => e.text),
  );
  log(`LAC tags of ${examples.length} sentences in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return examples.map((e, i) => ({ ...e, lacTagIds: ids[i]! }));
}

/** The last checkpoint's weights, restored into the method, as a fit result. */
function fromCheckpoint(m: TokenClassificationMethod, dir: string): Pick<FitResult, 'steps' | 'history'> {
  const ckpt = loadTrainerCheckpoint(dir);
  if (!ckpt) throw new ConfigError(`fromCheckpoint: no checkpoint in ${dir}`);
  m.restore(ckpt.weights);
  return { steps: ckpt.state.step, history: ckpt.state.history };
}
