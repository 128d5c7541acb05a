/**
 * The `dependency_parsing` training recipe: the biaffine parser (biaffine.ts) on UD Chinese GSD (v2.0 train,
 * Traditional → Simplified; gsd.ts) from a pretrained encoder with a trimmed vocabulary (vocab-trim.ts), scored by
 * UAS/LAS on GSDSimp dev (evaluate.ts) with tfjs and, with `bundle`, as the exported bundle on ONNX Runtime.
 *
 *   nice -n 10 fewprompt taskflow-train dependency_parsing --out /work/runs/dep-parsing/run \
 *     --bundle models/taskflow/dependency-parsing
 *   fewprompt taskflow-train dependency_parsing --out RUN --bundle DIR --export-only     # re-export a finished run
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../framework/backend/select.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { readSafetensors, writeSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { loadStateDict } from '../../../framework/checkpoint/state-dict.js';
import { elapsedLog, type TrainHooks } from '../train-settings.js';

export type { TrainHooks } from '../train-settings.js';
import { BertModel } from '../../../framework/model/bert.js';
import { readBertConfig, type BertConfig } from '../../../framework/model/config.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { Trainer, type FitResult } from '../../../framework/trainer/trainer.js';
import { Lac } from '../lexical-analysis/lac.js';
import { typeOf } from '../lexical-analysis/user-dict.js';
import { BiaffineParser, type ParseBucket } from './biaffine.js';
import { writeParserBundle } from './bundle.js';
import { readConllu, type ConlluSentence } from './conllu.js';
import { decodeTree } from './decode.js';
import { attachmentScores, type AttachmentScores } from './evaluate.js';
import { ParseFeaturizer, type ParseRow } from './features.js';
import { simplifyTraining } from './gsd.js';
import type { ParserHeadConfig } from './head.js';
import { DependencyParser, type Parse } from './parser.js';
import { resolveTrainOptions, type DependencyParserTrainOptions } from './train-options.js';
import { trimEmbeddings, trimmedTokenizer, trimVocab, type TrimmedVocab } from './vocab-trim.js';
import { lacWordTags, TagVocab } from './word-tags.js';

/** `OUT/parser-run.json`: what exporting a finished run needs (config, head, vocabulary) and how it was trained. */
export interface ParserRunMeta {
  config: BertConfig;
  head: ParserHeadConfig;
  vocab: string[];
  train: Record<string, unknown>;
  devTfjs?: AttachmentScores;
}

/** What {@link trainDependencyParser} returns (the same numbers as `OUT/metrics.json`). */
export interface DependencyParserTrainResult {
  readonly out: string;
  /** Dev scores of the training graph (tfjs), as recorded in the run. */
  readonly devTfjs?: AttachmentScores;
  /** The bundle written, when `bundle` was given, and its dev scores on ONNX Runtime. */
  readonly bundle?: string;
  readonly devOnnx?: AttachmentScores;
}

type Options = DependencyParserTrainOptions;
type Log = (message: string) => void;
interface RunFiles {
  readonly weights: string;
  readonly meta: string;
}

/**
 * Trains (or with `exportOnly` reloads) a parser run in `out`, then with `bundle` writes the ONNX bundle there and
 * scores it on dev. Every option unset takes its default from `DEPENDENCY_PARSER_SETTINGS` (train-options.ts).
 * @example
 * const result = await trainDependencyParser({ out: 'runs/dep-parsing', bundle: 'runs/dep-parsing/bundle' });
 * result.devOnnx; // { uas: 42.46, las: 26.16, … } for the shipped model's recipe (MODEL_CARD.md)
 */
export async function trainDependencyParser(
  options: Partial<Options> = {},
  hooks: TrainHooks = {},
): Promise<DependencyParserTrainResult> {
  const o = resolveTrainOptions(options);
  const started = Date.now();
  const log = elapsedLog(hooks, started);
  mkdirSync(o.out, { recursive: true });
  await initBackend();

  const fullTokenizer = await BertTokenizer.fromPretrained(o.model);
  const dev = readConllu(o.dev).slice(0, o.devLimit || undefined);
  const files: RunFiles = { weights: join(o.out, 'parser.safetensors'), meta: join(o.out, 'parser-run.json') };
  const run = o.exportOnly
    ? {
        meta: JSON.parse(readFileSync(files.meta, 'utf8')) as ParserRunMeta,
        weights: readSafetensors(files.weights),
      }
    : await trainRun(o, files, fullTokenizer, dev, log, started);
  if (o.bundle === undefined) return { out: o.out, devTfjs: run.meta.devTfjs };
  const devOnnx = await exportAndScore(o, o.bundle, run, fullTokenizer, dev, log);
  return { out: o.out, devTfjs: run.meta.devTfjs, bundle: o.bundle, devOnnx };
}

/** Trains the parser; writes its weights and `parser-run.json` (with the tfjs dev scores). */
async function trainRun(
  o: Options,
  files: RunFiles,
  fullTokenizer: BertTokenizer,
  dev: readonly ConlluSentence[],
  log: Log,
  started: number,
): Promise<{ meta: ParserRunMeta; weights: Map<string, HostTensor> }> {
  const train = simplifyTraining(readConllu(o.train)).slice(0, o.limit || undefined);
  const labels = [...new Set(train.flatMap((s) => s.words.map((w) => w.deprel)))].sort();
  const { vocab, tokenizer, config, model } = trimmedEncoder(o, fullTokenizer, train);
  log(
    `train ${train.length} sentences, ${labels.length} relations; vocabulary ${vocab.tokens.length} tokens ` +
      `(corpus coverage ${(100 * vocab.coverage).toFixed(2)}%)`,
  );
  const featurizer = new ParseFeaturizer(tokenizer, o.maxTokens);
  // LAC's part of speech per word (word-tags.ts), as at run time; tagSize 0 trains without it.
  const lac = await Lac.load(undefined, { workers: 0 });
  const lacTags = o.tagSize > 0 ? new TagVocab([...new Set(lac.vocab.tags.map((t) => typeOf(t)))].sort()) : undefined;
  const trainTags = lacTags
    ? await lacWordTags(
        lac,
        train.map((s) => s.words.map((w) => w.form)),
      )
    : undefined;
  const head: ParserHeadConfig = {
    arcSize: o.arcSize,
    relSize: o.relSize,
    labels,
    ...(lacTags ? { tags: lacTags.tags, tagSize: o.tagSize } : {}),
    ...(o.maxDistance > 0 ? { maxDistance: o.maxDistance } : {}),
  };
  log(`head: ${JSON.stringify({ ...head, labels: labels.length, tags: head.tags?.length })}`);
  const parser = new BiaffineParser(model, featurizer, { head, lr: o.lr, headLr: o.headLr, seed: o.seed });

  const rows = train
    .map((s, i) => ({
      s,
      row: featurizer.tryRow(
        s.words.map((w) => w.form),
        trainTags ? lacTags!.ids(trainTags[i]!) : undefined,
      ),
    }))
    .filter((x): x is { s: ConlluSentence; row: ParseRow } => x.row !== undefined);
  const buckets = lengthBuckets(rows, labels, o);
  const skipped = train.length - rows.length;
  log(`${rows.length} sentences in ${buckets.length} buckets (${skipped} over ${o.maxTokens} tokens skipped)`);

  const trainerOptions = {
    epochs: o.epochs,
    ...(o.maxSteps ? { maxSteps: o.maxSteps } : {}),
    batchSize: 1,
    seed: o.seed,
    warmupRatio: 0.1,
    checkpointDir: join(o.out, 'checkpoint'),
    resume: o.resume,
    label: 'parser',
  };
  const fit = await new Trainer(parser, trainerOptions).fit(buckets, []);
  log(`trained ${fit.steps} steps${fit.interrupted ? ' (interrupted)' : ''}`);
  const weights = parser.snapshot();
  writeSafetensors(files.weights, weights);

  const devTfjs = attachmentScores(dev, await parseDevTfjs(parser, tokenizer, config, dev, lac, lacTags, labels));
  log(`dev (tfjs): ${JSON.stringify(devTfjs)}`);
  const counts = { sentences: train.length, used: rows.length, skipped, buckets: buckets.length };
  const meta: ParserRunMeta = {
    config,
    head,
    vocab: [...vocab.tokens],
    devTfjs,
    train: trainRecord(o, counts, fit, vocab, started),
  };
  writeFileSync(files.meta, `${JSON.stringify(meta, null, 1)}\n`);
  model.dispose();
  parser.dispose();
  await lac.close();
  return { meta, weights };
}

/** The encoder with the trimmed vocabulary: every token of the training sentences, then the corpus's most frequent. */
function trimmedEncoder(o: Options, fullTokenizer: BertTokenizer, train: readonly ConlluSentence[]) {
  const vocab = trimVocab(
    fullTokenizer,
    { required: train.map((s) => s.words.map((w) => w.form).join('')), corpus: corpusLines(o.vocabCorpus) },
    o.vocabSize,
  );
  const tokenizer = trimmedTokenizer(fullTokenizer, vocab);
  const config: BertConfig = { ...readBertConfig(o.model), vocabSize: vocab.tokens.length };
  const state = loadStateDict(o.model);
  state.set(
    'embeddings.word_embeddings.weight',
    trimEmbeddings(state.get('embeddings.word_embeddings.weight')!, vocab),
  );
  const model = BertModel.fromStateDict(config, state, { pooler: false, mlmHead: false });
  return { vocab, tokenizer, config, model };
}

/** The non-empty lines of the vocabulary corpus files that exist. */
function* corpusLines(files: readonly string[]): Generator<string> {
  for (const f of files)
    if (existsSync(f))
      yield* readFileSync(f, 'utf8')
        .split(/\r?\n/)
        .filter((l) => l.length > 0);
}

/** Token-budget buckets of similar length (one optimiser step each), as supar/DDParser batch. */
function lengthBuckets(
  rows: { s: ConlluSentence; row: ParseRow }[],
  labels: readonly string[],
  o: Options,
): ParseBucket[] {
  rows.sort((a, b) => a.row.ids.length - b.row.ids.length);
  const buckets: ParseBucket[] = [];
  let cur: typeof rows = [];
  const flush = () => {
    if (cur.length === 0) return;
    buckets.push({
      rows: cur.map((x) => x.row),
      heads: cur.map((x) => [0, ...x.s.words.map((w) => w.head)]),
      rels: cur.map((x) => [0, ...x.s.words.map((w) => labels.indexOf(w.deprel))]),
    });
    cur = [];
  };
  for (const x of rows) {
    if (cur.length > 0 && ((cur.length + 1) * x.row.ids.length > o.batchTokens || cur.length >= o.maxSentences))
      flush();
    cur.push(x);
  }
  flush();
  return buckets;
}

/** Dev parses with tfjs (the training graph), up to the encoder's position limit. */
async function parseDevTfjs(
  parser: BiaffineParser,
  tokenizer: BertTokenizer,
  config: BertConfig,
  dev: readonly ConlluSentence[],
  lac: Lac,
  lacTags: TagVocab | undefined,
  labels: readonly string[],
): Promise<Parse[]> {
  const evalFeaturizer = new ParseFeaturizer(tokenizer, config.maxPositionEmbeddings);
  const parses: Parse[] = [];
  const devTags = lacTags
    ? await lacWordTags(
        lac,
        dev.map((s) => s.words.map((w) => w.form)),
      )
    : undefined;
  for (let at = 0; at < dev.length; at += 16) {
    const chunk = dev.slice(at, at + 16);
    const bucket: ParseBucket = {
      rows: chunk.map((s, k) =>
        evalFeaturizer.row(
          s.words.map((w) => w.form),
          devTags ? lacTags!.ids(devTags[at + k]!) : undefined,
        ),
      ),
      heads: chunk.map((s) => [0, ...s.words.map(() => 0)]),
      rels: chunk.map((s) => [0, ...s.words.map(() => 0)]),
    };
    const batch = parser.makeBatch([bucket]);
    const { arc, rel } = parser.parseScores(batch);
    parser.disposeBatch(batch);
    chunk.forEach((s, b) => {
      const t = decodeTree(arc, rel, { b, nodes: batch.nodes, labels: labels.length, words: s.words.length });
      parses.push({ heads: t.heads, deprels: t.rels.map((r) => labels[r]!) });
    });
  }
  return parses;
}

/** `parser-run.json`'s `train`: the data, the settings, the encoder and the loss curve. */
function trainRecord(
  o: Options,
  counts: { sentences: number; used: number; skipped: number; buckets: number },
  fit: FitResult,
  vocab: TrimmedVocab,
  started: number,
): Record<string, unknown> {
  const lossTail = fit.history.filter((h) => h.loss !== undefined).slice(-20);
  return {
    file: o.train,
    sentences: counts.sentences,
    used: counts.used,
    skippedOverMaxTokens: counts.skipped,
    buckets: counts.buckets,
    epochs: o.epochs,
    steps: fit.steps,
    maxTokens: o.maxTokens,
    tagSize: o.tagSize,
    maxDistance: o.maxDistance,
    tags: "LAC (shipped lac_small), type of the first character's tag",
    batchTokens: o.batchTokens,
    maxSentences: o.maxSentences,
    lr: o.lr,
    headLr: o.headLr,
    seed: o.seed,
    warmupRatio: 0.1,
    schedule: 'linear',
    mlpDropout: 0.33,
    vocabSize: vocab.tokens.length,
    vocabCorpusCoverage: vocab.coverage,
    vocabCorpus: o.vocabCorpus,
    encoder: o.model,
    encoderSha256: createHash('sha256')
      .update(readFileSync(join(o.model, 'model.safetensors')))
      .digest('hex'),
    finalLoss: lossTail.reduce((a, h) => a + h.loss!, 0) / Math.max(1, lossTail.length),
    wallSeconds: Math.round((Date.now() - started) / 1000),
    lossCurve: fit.history.filter((h) => h.loss !== undefined).map((h) => [h.step, Math.round(h.loss! * 1000) / 1000]),
  };
}

/** Writes the bundle, scores it on dev with ONNX Runtime, records the scores in `parser.json` and `metrics.json`. */
async function exportAndScore(
  o: Options,
  dir: string,
  run: { meta: ParserRunMeta; weights: Map<string, HostTensor> },
  fullTokenizer: BertTokenizer,
  dev: readonly ConlluSentence[],
  log: Log,
): Promise<AttachmentScores> {
  const { meta } = run;
  const tokenizer = BertTokenizer.fromVocab(meta.vocab, fullTokenizer.spec.normalizer, fullTokenizer.spec.specials);
  await writeParserBundle(dir, {
    config: meta.config,
    weights: run.weights,
    head: meta.head,
    tokenizer,
    maxTokens: meta.config.maxPositionEmbeddings,
    precision: o.precision,
    source: { train: { ...meta.train, lossCurve: undefined }, dev: { file: o.dev, tfjs: meta.devTfjs } },
  });
  const parser = await DependencyParser.load(dir);
  const t0 = Date.now();
  const parses = await parser.parse(dev.map((s) => s.words.map((w) => w.form)));
  const devOnnx = attachmentScores(dev, parses);
  log(`dev (ONNX ${o.precision}, ${((Date.now() - t0) / 1000).toFixed(1)}s): ${JSON.stringify(devOnnx)}`);
  await parser.release();
  const manifestFile = join(dir, 'parser.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { source: { dev: Record<string, unknown> } };
  manifest.source.dev['onnx'] = devOnnx;
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(o.out, 'metrics.json'), `${JSON.stringify({ devTfjs: meta.devTfjs, devOnnx }, null, 1)}\n`);
  return devOnnx;
}
