/**
 * The `sentiment_analysis` training recipe: a class-balanced, deduplicated mix of review sets (ChnSentiCorp train and
 * the `extra` sets, decontaminated against ChnSentiCorp dev and test; mix.ts), a prompt method trained on it from a
 * pretrained encoder, the bundle exported and scored on ONNX Runtime (ChnSentiCorp dev and test, the test reviews its
 * train file does not repeat, each extra set's held-out slice), the decision bias chosen on dev so the two classes'
 * recalls are equal, and — with `ship` — the shipped bundle replaced only if the new one beats it on ChnSentiCorp test
 * with its recalls within `maxRecallGap`. With `ngram` (the default) a character n-gram model trained on the same mix
 * joins the encoder: the two margins are mixed at the n-gram share chosen on dev (ngram.ts, decision.ts).
 *
 * The method itself (PET and its export head) lives in experiments/, which inference/ may not import: the caller hands
 * it in as a {@link SentimentMethod} (`fewprompt taskflow-train sentiment_analysis` passes experiments/taskflow's).
 *
 *   fewprompt taskflow-train sentiment_analysis --out runs/sentiment --max-steps 800 --max-minutes 40 \
 *     --ship models/taskflow/sentiment-analysis
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { elapsedLog, type TrainHooks } from '../train-settings.js';

export type { TrainHooks } from '../train-settings.js';
import { ConfigError } from '../../../framework/errors.js';
import { SeededRandom } from '../../../framework/random.js';
import type { GraphOptions } from '../../export/bundle.js';
import { DECISION_FILE, mixMargins, readDecisionBias, writeDecision } from './decision.js';
import { balancedBias, classScores, predictAt, type ClassScores } from './evaluate.js';
import { buildMix, contaminationCheck, mixSources, type ReviewMix } from './mix.js';
import { NGRAM_FILE, NGRAM_WEIGHTS, NgramSentimentModel } from './ngram.js';
import { renderReport } from './report.js';
import { readReviews, type Review } from './reviews.js';
import { replaceBundle, scoreBundle, scoresAt, shipVerdict, type ScoredSets, type ShipVerdict } from './score.js';
import { resolveSentimentTrainOptions, type SentimentTrainOptions } from './train-options.js';

/** What the method is asked to train: the mix, the checkpoint-selection slice, and the trainer's settings. */
export interface SentimentTrainJob {
  /** The run directory, in `fewprompt export`'s layout (model/, method.json, …), its checkpoint in `checkpoint/`. */
  readonly run: string;
  readonly train: readonly Review[];
  /** Class-balanced dev reviews that choose the checkpoint. */
  readonly selection: readonly Review[];
  /** The mix as TSV files (`label<TAB>text_a`), for the run's task record. */
  readonly files: { readonly train: string; readonly selection: string };
  readonly options: SentimentTrainOptions;
  /** Stop training (with a checkpoint) after this time (ms since the epoch). */
  readonly deadline: number;
}

/** What training reports. */
export interface SentimentFit {
  readonly steps: number;
  readonly bestStep: number;
  /** Selection-slice accuracy of the kept weights. */
  readonly bestDev: number;
  readonly interrupted: boolean;
  readonly history: readonly { step: number; loss?: number; dev?: number }[];
}

/** A training method for the recipe: trains into a run directory, and exports one as a classifier bundle. */
export interface SentimentMethod {
  train(job: SentimentTrainJob): Promise<SentimentFit>;
  export(run: string, bundle: string, options: GraphOptions): Promise<void>;
}

/** What {@link trainSentiment} returns (the numbers of `OUT/metrics.json`). */
export interface SentimentTrainResult {
  readonly out: string;
  readonly bundle: string;
  /** The decision bias chosen on dev. */
  readonly bias: number;
  /** The n-gram model's share of the margin, chosen on dev (unset: no n-gram model in the bundle). */
  readonly ngramWeight?: number;
  /** Per set (ChnSentiCorp dev / test, each held-out slice) at the chosen bias. */
  readonly scores: Readonly<Record<string, ClassScores>>;
  /** With `ship`: the current bundle's scores (at its own bias) and the verdict. */
  readonly current?: Readonly<Record<string, ClassScores>>;
  readonly verdict?: ShipVerdict;
}

/** The set names of the report: ChnSentiCorp's, then `held-out <source>` per extra set. */
export const CS_DEV = 'ChnSentiCorp dev';
export const CS_TEST = 'ChnSentiCorp test';
/** The ChnSentiCorp test reviews that ChnSentiCorp train does not repeat (contaminationCheck against train). */
export const CS_TEST_UNSEEN = 'ChnSentiCorp test, not in its train';

/**
 * Builds the mix, trains (unless `exportOnly`), exports `OUT/bundle`, chooses its decision bias, scores it, and with
 * `ship` replaces that bundle if the new one passes the gate. Every option unset takes its default from
 * `SENTIMENT_SETTINGS` (train-options.ts).
 * @example
 * const r = await trainSentiment({ out: 'runs/sentiment', maxMinutes: 40 }, petSentimentMethod);
 * r.scores['ChnSentiCorp test'].recall; // → [negative recall, positive recall]
 */
export async function trainSentiment(
  options: Partial<SentimentTrainOptions>,
  method: SentimentMethod,
  hooks: TrainHooks = {},
): Promise<SentimentTrainResult> {
  const o = resolveSentimentTrainOptions(options);
  const started = Date.now();
  const log = elapsedLog(hooks, started);
  mkdirSync(o.out, { recursive: true });
  const data = prepareData(o, log);
  const run = join(o.out, 'run');
  if (!o.exportOnly && o.bundleFrom === undefined) {
    const t0 = Date.now();
    const deadline = o.maxMinutes === undefined ? Infinity : t0 + o.maxMinutes * 60_000;
    const { train } = data.mix;
    const fit = await method.train({ run, train, selection: data.selection, files: data.files, options: o, deadline });
    // A resumed run adds to the seconds of the calls before it.
    const before = o.resume ? (readTrainRecord(o.out)?.seconds ?? 0) : 0;
    const seconds = before + Math.round((Date.now() - t0) / 1000);
    log(
      `trained ${fit.steps} steps in ${seconds} s${fit.interrupted ? ' (stopped: time limit or SIGINT)' : ''}; ` +
        `selection-slice accuracy ${fit.bestDev.toFixed(4)} at step ${fit.bestStep}`,
    );
    writeFileSync(join(o.out, 'train.json'), `${JSON.stringify(trainRecord(o, fit, seconds), null, 1)}\n`);
  }
  const bundle = join(o.out, 'bundle');
  if (o.bundleFrom === undefined) {
    const graph: GraphOptions = { precision: o.precision, fusion: 'contrib', wordEmbeddings: o.wordEmbeddings };
    await method.export(run, bundle, graph);
  } else copyEncoderBundle(o.bundleFrom, bundle);
  // The decision rule is chosen below: a rule left from an earlier export or from bundleFrom must not score.
  for (const file of [DECISION_FILE, NGRAM_FILE]) rmSync(join(bundle, file), { force: true });
  const devNames = o.biasOn === 'chnsenticorp' ? [CS_DEV] : data.devSets;
  const encoderScored = await scoreBundle(bundle, data.sets);
  const { scored, ngramWeight } = o.ngram
    ? addNgramModel(bundle, data.mix.train, encoderScored, data.sets, devNames, log)
    : { scored: encoderScored, ngramWeight: undefined };
  const pooled = pooledDev(scored, devNames);
  const bias = balancedBias(pooled.margins, pooled.gold);
  const devAtBias = classScores(pooled.gold, predictAt(pooled.margins, bias));
  const chosenOn = `equal recalls on ${devNames.join(' + ')} (${pooled.gold.length} reviews)`;
  writeDecision(bundle, {
    positiveBias: bias,
    ...(ngramWeight === undefined ? {} : { ngramWeight }),
    chosenOn,
    dev: { ...devAtBias },
  });
  const scores = scoresAt(scored, bias);
  log(`decision bias ${bias.toFixed(4)} (${chosenOn})`);
  for (const [name, s] of Object.entries(scores)) log(`${name}: ${oneLine(s)}`);
  const shipped = o.ship === undefined ? undefined : await shipStep(o, o.ship, bundle, scores, data.sets, log);
  const result: SentimentTrainResult = {
    out: o.out,
    bundle,
    bias,
    ...(ngramWeight === undefined ? {} : { ngramWeight }),
    scores,
    ...shipped,
  };
  const encoderAlone = o.ngram
    ? { encoderAlone: scoresAt(encoderScored, balancedBiasOn(encoderScored, devNames)) }
    : {};
  const record = {
    bias,
    ...(ngramWeight === undefined ? {} : { ngramWeight }),
    chosenOn,
    scores,
    atBiasZero: scoresAt(scored, 0),
    ...encoderAlone,
    counts: data.mix.counts,
    ...shipped,
  };
  writeFileSync(join(o.out, 'metrics.json'), `${JSON.stringify(record, null, 1)}\n`);
  writeFileSync(join(o.out, 'report.md'), renderReport({ ...record, options: o, train: readTrainRecord(o.out) }));
  return result;
}

/** The named sets' margins and gold labels, pooled. */
function pooledDev(scored: ScoredSets, names: readonly string[]): { margins: number[]; gold: (0 | 1)[] } {
  return { margins: names.flatMap((n) => scored[n]!.margins), gold: names.flatMap((n) => scored[n]!.gold) };
}

/** The equal-recall bias of the named sets pooled. */
function balancedBiasOn(scored: ScoredSets, names: readonly string[]): number {
  const pooled = pooledDev(scored, names);
  return balancedBias(pooled.margins, pooled.gold);
}

/**
 * Trains the n-gram model on the mix into `bundle/ngram.tsv` and weighs it on dev: of {@link NGRAM_WEIGHTS}, the
 * share whose mixed margins, at their own equal-recall bias, are most accurate on the dev sets pooled (the first
 * of equals, so 0 — no n-gram model — wins a tie). Returns the mixed margins of every set and the share.
 */
function addNgramModel(
  bundle: string,
  train: readonly Review[],
  encoder: ScoredSets,
  sets: Readonly<Record<string, readonly Review[]>>,
  devNames: readonly string[],
  log: (msg: string) => void,
): { scored: ScoredSets; ngramWeight: number | undefined } {
  const t0 = Date.now();
  const model = NgramSentimentModel.train(train);
  const ngram = Object.fromEntries(
    Object.entries(sets).map(([n, reviews]) => [n, reviews.map((r) => model.margin(r.text))]),
  );
  const combined = (weight: number): ScoredSets =>
    Object.fromEntries(
      Object.entries(encoder).map(([n, s]) => [
        n,
        { gold: s.gold, margins: s.margins.map((m, i) => mixMargins(m, ngram[n]![i]!, weight)) },
      ]),
    );
  let best = { weight: 0, accuracy: -1, scored: encoder };
  const tried: string[] = [];
  for (const weight of NGRAM_WEIGHTS) {
    const scored = combined(weight);
    const pooled = pooledDev(scored, devNames);
    const accuracy = classScores(
      pooled.gold,
      predictAt(pooled.margins, balancedBias(pooled.margins, pooled.gold)),
    ).accuracy;
    tried.push(`${weight}: ${(accuracy * 100).toFixed(2)}`);
    if (accuracy > best.accuracy) best = { weight, accuracy, scored };
  }
  const seconds = Math.round((Date.now() - t0) / 1000);
  log(
    `n-gram model: ${model.size} n-grams from ${train.length} reviews (${seconds} s); ` +
      `dev accuracy by weight ${tried.join(', ')}`,
  );
  if (best.weight === 0) return { scored: encoder, ngramWeight: undefined };
  model.save(join(bundle, NGRAM_FILE));
  log(`n-gram weight ${best.weight}`);
  return { scored: best.scored, ngramWeight: best.weight };
}

/** Copies an encoder bundle's files (not its decision rule) into `to`, replacing what is there. */
function copyEncoderBundle(from: string, to: string): void {
  if (!existsSync(join(from, 'bundle.json')))
    throw new ConfigError(`bundleFrom: ${join(from, 'bundle.json')} does not exist (expected a sentiment bundle)`);
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const entry of ['bundle.json', 'model.onnx', 'tokenizer'])
    if (existsSync(join(from, entry))) cpSync(join(from, entry), join(to, entry), { recursive: true });
}

/** The mix, the evaluation sets and the checkpoint-selection slice, with the mix written to `OUT/mix/`. */
function prepareData(
  o: SentimentTrainOptions,
  log: (msg: string) => void,
): {
  mix: ReviewMix;
  sets: Record<string, Review[]>;
  devSets: string[];
  selection: Review[];
  files: SentimentTrainJob['files'];
} {
  const cut = (reviews: readonly Review[]) => reviews.slice(0, o.limit || undefined);
  // Decontaminate against every ChnSentiCorp dev and test review, whatever `limit` scores.
  const [devAll, testAll] = ['dev', 'test'].map((p) => readReviews(join(o.data, `chnsenticorp_${p}.tsv`))) as [
    Review[],
    Review[],
  ];
  const evaluation = [...devAll, ...testAll].map((r) => r.text);
  const [dev, test] = [cut(devAll), cut(testAll)];
  const sources = mixSources([
    { file: join(o.data, 'chnsenticorp_train.tsv'), holdout: false },
    ...o.extra.map((file) => ({ file, holdout: true })),
  ]).map((s) => ({ ...s, reviews: cut(s.reviews) }));
  const mix = buildMix(sources, evaluation, {
    devPerClass: o.devPerClass,
    ...(o.maxPerSource > 0 ? { maxPerSource: o.maxPerSource } : {}),
    seed: o.seed,
  });
  for (const [name, c] of Object.entries(mix.counts)) log(`mix ${name}: ${JSON.stringify(c)}`);
  // ChnSentiCorp train repeats a third of its test set: the rest is also scored on its own.
  const inTrain = contaminationCheck(sources[0]!.reviews.map((r) => r.text));
  const sets: Record<string, Review[]> = {
    [CS_DEV]: dev,
    [CS_TEST]: test,
    [CS_TEST_UNSEEN]: test.filter((r) => !inTrain(r.text)),
  };
  const devSets = [CS_DEV];
  for (const [name, slice] of Object.entries(mix.dev)) {
    sets[`held-out ${name}`] = slice;
    devSets.push(`held-out ${name}`);
  }
  const selection = selectionSlice([dev, ...Object.values(mix.dev)], o.selectionSize, o.seed);
  const dir = join(o.out, 'mix');
  mkdirSync(dir, { recursive: true });
  const files = { train: join(dir, 'train.tsv'), selection: join(dir, 'selection.tsv') };
  writeTsv(files.train, mix.train);
  writeTsv(files.selection, selection);
  for (const [name, slice] of Object.entries(mix.dev)) writeTsv(join(dir, `dev-${name}.tsv`), slice);
  writeFileSync(join(dir, 'counts.json'), `${JSON.stringify(mix.counts, null, 1)}\n`);
  log(`mix: ${mix.train.length} training reviews, selection slice ${selection.length}`);
  return { mix, sets, devSets, selection, files };
}

/** `size` dev reviews, as many of each class from each dev set (seeded). */
export function selectionSlice(devSets: readonly (readonly Review[])[], size: number, seed: number): Review[] {
  const per = Math.max(1, Math.floor(size / (2 * devSets.length)));
  return devSets.flatMap((set, i) => {
    const random = new SeededRandom((seed * 31 + i) >>> 0);
    return ([0, 1] as const).flatMap((label) => random.shuffle(set.filter((r) => r.label === label)).slice(0, per));
  });
}

function writeTsv(file: string, reviews: readonly Review[]): void {
  const rows = reviews.map((r) => `${r.label}\t${r.text.replace(/[\t\r\n]+/gu, ' ')}`);
  writeFileSync(file, `label\ttext_a\n${rows.join('\n')}\n`);
}

function oneLine(s: ClassScores): string {
  const p = (x: number) => (x * 100).toFixed(2);
  return (
    `accuracy ${p(s.accuracy)}, recall negative ${p(s.recall[0])} / positive ${p(s.recall[1])} ` +
    `(gap ${s.recallGap.toFixed(2)}), confusion ${JSON.stringify(s.confusion)} of ${s.total}`
  );
}

/** Scores the bundle in `target` at its own bias, and replaces it with `bundle` if the gate passes. */
async function shipStep(
  o: SentimentTrainOptions,
  target: string,
  bundle: string,
  scores: Record<string, ClassScores>,
  sets: Record<string, Review[]>,
  log: (msg: string) => void,
): Promise<{ current?: Record<string, ClassScores>; verdict: ShipVerdict }> {
  let current: Record<string, ClassScores> | undefined;
  try {
    const scored: ScoredSets = await scoreBundle(target, sets);
    current = scoresAt(scored, readDecisionBias(target));
    for (const [name, s] of Object.entries(current)) log(`current ${target}: ${name}: ${oneLine(s)}`);
  } catch (error) {
    log(`current ${target}: not scored (${(error as Error).message.split('\n')[0]})`);
  }
  const verdict = shipVerdict(scores[CS_TEST]!, current?.[CS_TEST], o.maxRecallGap);
  if (verdict.ship) await replaceBundle(bundle, target);
  log(`${verdict.ship ? 'shipped to' : 'not shipped to'} ${target}: ${verdict.reason}`);
  return { ...(current ? { current } : {}), verdict };
}

/** `train.json`: the settings, the steps, the time and the curves. */
export interface TrainRecord {
  readonly options: SentimentTrainOptions;
  readonly steps: number;
  readonly bestStep: number;
  readonly selectionAccuracy: number;
  readonly stoppedEarly: boolean;
  /** Seconds of training, over every call of a resumed run. */
  readonly seconds: number;
  readonly devCurve: readonly (readonly [number, number])[];
  readonly lossCurve: readonly (readonly [number, number])[];
}

function trainRecord(o: SentimentTrainOptions, fit: SentimentFit, seconds: number): TrainRecord {
  const losses = fit.history.filter((h) => h.loss !== undefined);
  return {
    options: o,
    steps: fit.steps,
    bestStep: fit.bestStep,
    selectionAccuracy: fit.bestDev,
    stoppedEarly: fit.interrupted,
    seconds,
    devCurve: fit.history.flatMap((h) => (h.dev === undefined ? [] : [[h.step, h.dev] as const])),
    lossCurve: losses.map((h) => [h.step, Math.round(h.loss! * 1000) / 1000] as const),
  };
}

/** A run's `train.json` (written by the call that trained), if there is one. */
function readTrainRecord(out: string): TrainRecord | undefined {
  const file = join(out, 'train.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TrainRecord) : undefined;
}
