/**
 * Trains the `ner` Taskflow model of mode `accurate`: token classification (BIO over CLUENER2020's ten
 * types) on the default pretrained encoder, a fixed number of steps on CLUENER train (no model
 * selection on dev), saved as a run directory; then exported (FP32 and INT8) and scored on CLUENER dev
 * with ONNX Runtime: exact-match entity precision / recall / F1 (`fp32`, `int8`: constrained Viterbi decoding,
 * the default; `…-argmax`: per-character argmax).
 *
 *   npx tsx scripts/train-ner.ts --max-steps 600 --out /work/runs/ner/final
 *
 * Options (defaults in brackets): --data DIR [../shared/ner] --model DIR [shipped default] --max-steps N [600]
 * --batch-size N [32] --max-seq-len N [64] --lr X [2e-4] --head-lr X [2e-3] --seed N [42] --checkpoint-every N [25]
 * --lac-tag-size N [32] (width of the embedding of LAC's per-character tags that the tag layer reads beside the
 * hidden states, see inference/runtime/lac-char-tags.ts; 0 = hidden states only) --out DIR (required).
 * MSRA first (`--msra-steps N` [0]): the encoder is first trained N steps as a tagger of MSRA's PER/LOC/ORG (its own
 * tag layer, discarded afterwards; `--msra FILE` [DATA/msra_bio.zip], `--msra-sentences N` [16000] pieces of at most
 * max-seq-len − 2 characters drawn with the seed), then on CLUENER as above: MSRA's three coarse types cannot share
 * CLUENER's tag layer, but the encoder they train can.
 * `--from-checkpoint` skips training and finishes (save, export, score) from the weights of DIR/checkpoint: a run cut
 * short for time keeps its last checkpoint's steps (the learning-rate schedule is still that of --max-steps, not
 * decayed to zero).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../framework/backend/select.js';
import { writeSafetensors } from '../framework/checkpoint/safetensors.js';
import { ConfigError } from '../framework/errors.js';
import { modelOrDefault } from '../framework/model/default.js';
import { loadPretrained, savePretrained } from '../framework/model/pretrained.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { loadTrainerCheckpoint } from '../framework/trainer/checkpoint.js';
import { SeededRandom } from '../framework/trainer/rng.js';
import { Trainer } from '../framework/trainer/trainer.js';
import { CLUENER_TYPES, loadCluener, type NerExample } from '../datasets/cluener/cluener.js';
import { chunkExample, loadMsraBio, MSRA_TYPES } from '../datasets/msra/msra.js';
import { TokenClassificationMethod, type TokenExample } from '../experiments/methods/token-classification.js';
import { exportTokenBundle } from '../inference/export/token-bundle.js';
import { bioTags, entityF1 } from '../inference/runtime/bio.js';
import { loadTokenClassifier } from '../inference/runtime/token-classifier.js';
import { Lac } from '../inference/taskflow/lexical-analysis/lac.js';
import { LacCharTagVocab, type LacTagFeatures } from '../inference/runtime/lac-char-tags.js';
import { numberFlag } from '../experiments/cli/flags.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/ner' },
    model: { type: 'string' },
    'max-steps': { type: 'string', default: '600' },
    'batch-size': { type: 'string', default: '32' },
    'max-seq-len': { type: 'string', default: '64' },
    lr: { type: 'string', default: '2e-4' },
    'head-lr': { type: 'string', default: '2e-3' },
    seed: { type: 'string', default: '42' },
    'checkpoint-every': { type: 'string', default: '25' },
    'lac-tag-size': { type: 'string', default: '32' },
    msra: { type: 'string' },
    'msra-steps': { type: 'string', default: '0' },
    'msra-sentences': { type: 'string', default: '16000' },
    'from-checkpoint': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const num = (flag: keyof typeof values): number => numberFlag(values, flag);
if (values.out === undefined) throw new ConfigError('--out DIR is required');
const out = values.out;
const [maxSteps, batchSize, maxSeqLen, lr, headLr, seed, checkpointEvery, lacTagSize, msraSteps, msraSentences] = (
  [
    'max-steps',
    'batch-size',
    'max-seq-len',
    'lr',
    'head-lr',
    'seed',
    'checkpoint-every',
    'lac-tag-size',
    'msra-steps',
    'msra-sentences',
  ] as const
).map(num) as [number, number, number, number, number, number, number, number, number, number];
if (!Number.isInteger(lacTagSize) || lacTagSize < 0)
  throw new ConfigError(`--lac-tag-size must be a non-negative integer, got ${lacTagSize}`);

await initBackend();
const cluenerTrain = loadCluener(join(values.data, 'cluener_train.json'));
const dev = loadCluener(join(values.data, 'cluener_dev.json'));
// LAC's tag of every training character, computed once up front; dev is tagged by the runtime when scored, as in use.
const lac = lacTagSize > 0 ? await Lac.load(undefined, { workers: 0 }) : undefined;
const lacTags: LacTagFeatures | undefined = lac ? { tags: [...lac.vocab.tags], size: lacTagSize } : undefined;
const train: TokenExample[] = lac ? await withLacTags(lac, cluenerTrain) : cluenerTrain;
const tags = bioTags(CLUENER_TYPES);
const modelDir = modelOrDefault(values.model);
const { model, dir } = await loadPretrained(modelDir, { parts: { pooler: false, mlmHead: false } });
const tokenizer = await BertTokenizer.fromPretrained(dir);
const msraFile = values.msra ?? join(values.data, 'msra_bio.zip');
const msraSeconds = msraSteps > 0 && !values['from-checkpoint'] ? await trainOnMsra() : 0;
const method = new TokenClassificationMethod({
  model,
  tokenizer,
  tags,
  maxSeqLen,
  lr,
  headLr,
  seed,
  ...(lacTags ? { lacTags } : {}),
});
const t0 = Date.now();
const fit = values['from-checkpoint']
  ? fromCheckpoint(method, join(out, 'checkpoint'))
  : await new Trainer(method, {
      maxSteps,
      batchSize,
      seed,
      warmupRatio: 0.06,
      evalEvery: maxSteps,
      checkpointEvery,
      label: 'cluener/token-classification',
      checkpointDir: join(out, 'checkpoint'),
    }).fit(train, []);
const trainSeconds = values['from-checkpoint'] ? NaN : (Date.now() - t0) / 1000;
console.log(
  `trained ${fit.steps} steps (${((fit.steps * batchSize) / train.length).toFixed(2)} epochs) ` +
    `in ${trainSeconds.toFixed(0)} s`,
);

mkdirSync(out, { recursive: true });
savePretrained(model, join(out, 'model'));
await tokenizer.save(join(out, 'model'));
writeSafetensors(
  join(out, 'method.safetensors'),
  new Map([...method.snapshot()].filter(([k]) => k.startsWith('method.'))),
);
writeFileSync(
  join(out, 'method.json'),
  `${JSON.stringify(
    {
      kind: TokenClassificationMethod.kind,
      dataset: msraSteps > 0 ? 'msra (encoder, first) + cluener2020' : 'cluener2020',
      types: [...CLUENER_TYPES],
      tags,
      maxSeqLen,
      ...(lacTags ? { lacTags } : {}),
    },
    null,
    2,
  )}\n`,
);
writeFileSync(join(out, 'history.json'), `${JSON.stringify(fit.history)}\n`);
method.dispose();
model.dispose();

const gold = dev.map((e) => e.entities);
const scores: Record<string, ReturnType<typeof entityF1> & { seconds: number }> = {};
for (const precision of ['fp32', 'int8'] as const) {
  const bundle = join(out, `bundle-${precision}`);
  await exportTokenBundle(out, bundle, { precision });
  const ner = await loadTokenClassifier(bundle, lac ? { lac } : {});
  for (const decode of ['viterbi', 'argmax'] as const) {
    const t1 = Date.now();
    const predicted = await ner.predict(
      dev.map((e) => e.text),
      { batchSize: 64, decode },
    );
    scores[decode === 'viterbi' ? precision : `${precision}-argmax`] = {
      ...entityF1(gold, predicted),
      seconds: (Date.now() - t1) / 1000,
    };
  }
  await ner.release();
}
const metrics = {
  task: 'cluener2020',
  method: TokenClassificationMethod.kind,
  model: modelDir,
  steps: fit.steps,
  epochs: (fit.steps * batchSize) / train.length,
  batchSize,
  maxSeqLen,
  lr,
  headLr,
  seed,
  maxSteps,
  lacTagSize,
  trainSeconds,
  ...(msraSteps > 0
    ? { msra: { file: msraFile, steps: msraSteps, sentences: msraSentences, seconds: msraSeconds } }
    : {}),
  trainSentences: train.length,
  devSentences: dev.length,
  dev: scores,
};
writeFileSync(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
await exportTokenBundle(out, join(out, 'bundle-int8'), { precision: 'int8' });
await lac?.close();
console.log(JSON.stringify(metrics));

/** Stage 1: the encoder as a tagger of MSRA's three types for --msra-steps steps; returns its seconds. */
async function trainOnMsra(): Promise<number> {
  const t = Date.now();
  const pieces = new SeededRandom(seed).shuffle(
    loadMsraBio(msraFile)
      .flatMap((e) => chunkExample(e, maxSeqLen - 2))
      .filter((p) => p.text.trim() !== ''),
  );
  const chosen: NerExample[] = pieces.slice(0, msraSentences).map((p, id) => ({ id, ...p }));
  const msraTrain: TokenExample[] = lac ? await withLacTags(lac, chosen) : chosen;
  const msra = new TokenClassificationMethod({
    model,
    tokenizer,
    tags: bioTags(MSRA_TYPES),
    maxSeqLen,
    lr,
    headLr,
    seed: seed + 100,
    ...(lacTags ? { lacTags } : {}),
  });
  const result = await new Trainer(msra, {
    maxSteps: msraSteps,
    batchSize,
    seed,
    warmupRatio: 0.06,
    evalEvery: msraSteps,
    checkpointEvery,
    label: 'msra/token-classification',
    checkpointDir: join(out, 'checkpoint-msra'),
  }).fit(msraTrain, []);
  msra.dispose(); // its tag layer; the encoder (shared `model`) keeps what it learnt
  writeFileSync(join(out, 'history-msra.json'), `${JSON.stringify(result.history)}\n`);
  console.log(
    `MSRA: ${result.steps} steps on ${msraTrain.length} of ${pieces.length} pieces ` +
      `in ${((Date.now() - t) / 1000).toFixed(0)} s`,
  );
  return (Date.now() - t) / 1000;
}

/** Examples with LAC's tag id of each character. */
async function withLacTags(tagger: Lac, examples: readonly NerExample[]): Promise<TokenExample[]> {
  const t = Date.now();
  const ids = await new LacCharTagVocab(tagger.vocab.tags).textIds(
    tagger,
    examples.map((e) => e.text),
  );
  console.log(`LAC tags of ${examples.length} sentences in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return examples.map((e, i) => ({ ...e, lacTagIds: ids[i]! }));
}

/** The last checkpoint's weights, restored into the method, as a fit result. */
function fromCheckpoint(
  m: TokenClassificationMethod,
  dir: string,
): { steps: number; history: { step: number; loss?: number }[] } {
  const ckpt = loadTrainerCheckpoint(dir);
  if (!ckpt) throw new ConfigError(`--from-checkpoint: no checkpoint in ${dir}`);
  m.restore(ckpt.weights);
  return { steps: ckpt.state.step, history: ckpt.state.history };
}
