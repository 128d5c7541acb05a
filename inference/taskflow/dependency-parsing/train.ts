/**
 * Trains the `dependency_parsing` biaffine parser on UD Chinese GSD (v2.0 train, Traditional →
 * Simplified) from the default pretrained encoder, scores UAS/LAS on GSDSimp dev (tfjs, then the
 * exported bundle on ONNX Runtime) and writes the bundle.
 *
 *   nice -n 10 npx tsx scripts/train-dep-parser.ts --out /work/runs/dep-parsing/run \
 *     --bundle models/taskflow/dependency-parsing
 *   npx tsx scripts/train-dep-parser.ts --out RUN --bundle DIR --export-only     # re-export a finished run
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../framework/backend/select.js';
import type { HostTensor } from '../framework/checkpoint/host-tensor.js';
import { readSafetensors, writeSafetensors } from '../framework/checkpoint/safetensors.js';
import { loadStateDict } from '../framework/checkpoint/state-dict.js';
import { BertModel } from '../framework/model/bert.js';
import { readBertConfig, type BertConfig } from '../framework/model/config.js';
import { DEFAULT_MODEL_DIR } from '../framework/model/default.js';
import { typeOf } from '../inference/lac/user-dict.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { Trainer } from '../framework/trainer/trainer.js';
import { readConllu, type ConlluSentence } from '../datasets/ud/conllu.js';
import { BiaffineParser, type ParseBucket } from '../experiments/parsing/biaffine.js';
import { attachmentScores } from '../experiments/parsing/evaluate.js';
import { simplifyTraining } from '../experiments/parsing/gsd.js';
import { trimEmbeddings, trimmedTokenizer, trimVocab } from '../experiments/parsing/vocab-trim.js';
import { writeParserBundle } from '../inference/parsing/bundle.js';
import { decodeTree } from '../inference/parsing/decode.js';
import { ParseFeaturizer, type ParseRow } from '../inference/parsing/features.js';
import { lacWordTags, TagVocab } from '../inference/parsing/word-tags.js';
import { Lac } from '../inference/lac/lac.js';
import type { ParserHeadConfig } from '../inference/parsing/head.js';
import { DependencyParser, type Parse } from '../inference/parsing/parser.js';
import type { Precision } from '../inference/export/bert-graph.js';

const { values: o } = parseArgs({
  options: {
    train: { type: 'string', default: '../shared/ud/zh-ud-train-v2.0-traditional.conllu' },
    dev: { type: 'string', default: '../shared/ud/zh_gsdsimp-ud-dev.conllu' },
    model: { type: 'string', default: DEFAULT_MODEL_DIR },
    out: { type: 'string', default: 'runs/dep-parsing' },
    bundle: { type: 'string' },
    epochs: { type: 'string', default: '3' },
    'max-steps': { type: 'string' },
    'max-tokens': { type: 'string', default: '128' },
    'batch-tokens': { type: 'string', default: '2048' },
    'max-sentences': { type: 'string', default: '48' },
    lr: { type: 'string', default: '1e-4' },
    'head-lr': { type: 'string', default: '1e-3' },
    'arc-size': { type: 'string', default: '128' },
    'rel-size': { type: 'string', default: '64' },
    'tag-size': { type: 'string', default: '32' },
    'max-distance': { type: 'string', default: '10' },
    'vocab-size': { type: 'string', default: '8000' },
    'vocab-corpus': {
      type: 'string',
      multiple: true,
      default: [
        '../shared/corpora/clue_corpus_small_sampled.txt',
        '../shared/corpora/thucnews_train.txt',
        '../shared/corpora/waimai_10k.csv',
      ],
    },
    limit: { type: 'string' },
    'dev-limit': { type: 'string' },
    seed: { type: 'string', default: '42' },
    precision: { type: 'string', default: 'fp16' },
    resume: { type: 'boolean', default: false },
    'export-only': { type: 'boolean', default: false },
  },
});
const num = (k: keyof typeof o): number => Number(o[k] as string);
const started = Date.now();
const log = (msg: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);
mkdirSync(o.out, { recursive: true });
await initBackend();

const fullTokenizer = await BertTokenizer.fromPretrained(o.model);
const dev = readConllu(o.dev).slice(0, o['dev-limit'] ? num('dev-limit') : undefined);
const weightsFile = join(o.out, 'parser.safetensors');
const metaFile = join(o.out, 'parser-run.json');

interface RunMeta {
  config: BertConfig;
  head: ParserHeadConfig;
  vocab: string[];
  train: Record<string, unknown>;
  devTfjs?: unknown;
}

let meta: RunMeta;
let weights: Map<string, HostTensor>;
if (o['export-only']) {
  meta = JSON.parse(readFileSync(metaFile, 'utf8')) as RunMeta;
  weights = readSafetensors(weightsFile);
} else {
  const train = simplifyTraining(readConllu(o.train)).slice(0, o.limit ? num('limit') : undefined);
  const labels = [...new Set(train.flatMap((s) => s.words.map((w) => w.deprel)))].sort();
  const corpusLines = function* (): Generator<string> {
    for (const f of o['vocab-corpus'])
      if (existsSync(f))
        yield* readFileSync(f, 'utf8')
          .split(/\r?\n/)
          .filter((l) => l.length > 0);
  };
  const vocab = trimVocab(
    fullTokenizer,
    { required: train.map((s) => s.words.map((w) => w.form).join('')), corpus: corpusLines() },
    num('vocab-size'),
  );
  const tokenizer = trimmedTokenizer(fullTokenizer, vocab);
  log(
    `train ${train.length} sentences, ${labels.length} relations; vocabulary ${vocab.tokens.length} tokens ` +
      `(corpus coverage ${(100 * vocab.coverage).toFixed(2)}%)`,
  );

  const config: BertConfig = { ...readBertConfig(o.model), vocabSize: vocab.tokens.length };
  const state = loadStateDict(o.model);
  state.set(
    'embeddings.word_embeddings.weight',
    trimEmbeddings(state.get('embeddings.word_embeddings.weight')!, vocab),
  );
  const model = BertModel.fromStateDict(config, state, { pooler: false, mlmHead: false });
  const featurizer = new ParseFeaturizer(tokenizer, num('max-tokens'));
  // LAC's part of speech per word (word-tags.ts), as at run time; --tag-size 0 trains without it.
  const lac = await Lac.load(undefined, { workers: 0 });
  const lacTags =
    num('tag-size') > 0 ? new TagVocab([...new Set(lac.vocab.tags.map((t) => typeOf(t)))].sort()) : undefined;
  const trainTags = lacTags
    ? await lacWordTags(
        lac,
        train.map((s) => s.words.map((w) => w.form)),
      )
    : undefined;
  const head: ParserHeadConfig = {
    arcSize: num('arc-size'),
    relSize: num('rel-size'),
    labels,
    ...(lacTags ? { tags: lacTags.tags, tagSize: num('tag-size') } : {}),
    ...(num('max-distance') > 0 ? { maxDistance: num('max-distance') } : {}),
  };
  log(`head: ${JSON.stringify({ ...head, labels: labels.length, tags: head.tags?.length })}`);
  const parser = new BiaffineParser(model, featurizer, {
    head,
    lr: num('lr'),
    headLr: num('head-lr'),
    seed: num('seed'),
  });

  // Token-budget buckets of similar length (one optimiser step each), as supar/DDParser batch.
  const rows = train
    .map((s, i) => ({
      s,
      row: featurizer.tryRow(
        s.words.map((w) => w.form),
        trainTags ? lacTags!.ids(trainTags[i]!) : undefined,
      ),
    }))
    .filter((x): x is { s: ConlluSentence; row: ParseRow } => x.row !== undefined);
  const skipped = train.length - rows.length;
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
    if (
      cur.length > 0 &&
      ((cur.length + 1) * x.row.ids.length > num('batch-tokens') || cur.length >= num('max-sentences'))
    )
      flush();
    cur.push(x);
  }
  flush();
  log(`${rows.length} sentences in ${buckets.length} buckets (${skipped} over ${num('max-tokens')} tokens skipped)`);

  const trainerOptions = {
    epochs: num('epochs'),
    ...(o['max-steps'] ? { maxSteps: num('max-steps') } : {}),
    batchSize: 1,
    seed: num('seed'),
    warmupRatio: 0.1,
    checkpointDir: join(o.out, 'checkpoint'),
    resume: o.resume,
    label: 'parser',
  };
  const fit = await new Trainer(parser, trainerOptions).fit(buckets, []);
  log(`trained ${fit.steps} steps${fit.interrupted ? ' (interrupted)' : ''}`);
  weights = parser.snapshot();
  writeSafetensors(weightsFile, weights);

  // Dev with tfjs (the training graph), up to the encoder's position limit.
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
  const devTfjs = attachmentScores(dev, parses);
  log(`dev (tfjs): ${JSON.stringify(devTfjs)}`);
  const lossTail = fit.history.filter((h) => h.loss !== undefined).slice(-20);
  meta = {
    config,
    head,
    vocab: [...vocab.tokens],
    devTfjs,
    train: {
      file: o.train,
      sentences: train.length,
      used: rows.length,
      skippedOverMaxTokens: skipped,
      buckets: buckets.length,
      epochs: num('epochs'),
      steps: fit.steps,
      maxTokens: num('max-tokens'),
      tagSize: num('tag-size'),
      maxDistance: num('max-distance'),
      tags: "LAC (shipped lac_small), type of the first character's tag",
      batchTokens: num('batch-tokens'),
      maxSentences: num('max-sentences'),
      lr: num('lr'),
      headLr: num('head-lr'),
      seed: num('seed'),
      warmupRatio: 0.1,
      schedule: 'linear',
      mlpDropout: 0.33,
      vocabSize: vocab.tokens.length,
      vocabCorpusCoverage: vocab.coverage,
      vocabCorpus: o['vocab-corpus'],
      encoder: o.model,
      encoderSha256: createHash('sha256')
        .update(readFileSync(join(o.model, 'model.safetensors')))
        .digest('hex'),
      finalLoss: lossTail.reduce((a, h) => a + h.loss!, 0) / Math.max(1, lossTail.length),
      wallSeconds: Math.round((Date.now() - started) / 1000),
      lossCurve: fit.history
        .filter((h) => h.loss !== undefined)
        .map((h) => [h.step, Math.round(h.loss! * 1000) / 1000]),
    },
  };
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 1)}\n`);
  model.dispose();
  parser.dispose();
  await lac.close();
}

if (o.bundle) {
  const tokenizer = BertTokenizer.fromVocab(meta.vocab, fullTokenizer.spec.normalizer, fullTokenizer.spec.specials);
  await writeParserBundle(o.bundle, {
    config: meta.config,
    weights,
    head: meta.head,
    tokenizer,
    maxTokens: meta.config.maxPositionEmbeddings,
    precision: o.precision as Precision,
    source: { train: { ...meta.train, lossCurve: undefined }, dev: { file: o.dev, tfjs: meta.devTfjs } },
  });
  const parser = await DependencyParser.load(o.bundle);
  const t0 = Date.now();
  const parses = await parser.parse(dev.map((s) => s.words.map((w) => w.form)));
  const devOnnx = attachmentScores(dev, parses);
  log(`dev (ONNX ${o.precision}, ${((Date.now() - t0) / 1000).toFixed(1)}s): ${JSON.stringify(devOnnx)}`);
  await parser.release();
  const manifestFile = join(o.bundle, 'parser.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { source: { dev: Record<string, unknown> } };
  manifest.source.dev['onnx'] = devOnnx;
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(o.out, 'metrics.json'), `${JSON.stringify({ devTfjs: meta.devTfjs, devOnnx }, null, 1)}\n`);
}
