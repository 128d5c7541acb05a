/**
 * Trains the poetry GPT with fewprompt's Trainer on the output of scripts/prepare-poetry.ts.
 * Each poem becomes `[BOS] body [EOS]`; whole poems are packed greedily into rows of at most `--seq + 1`
 * tokens (the rest padded, no loss there), and position ids restart at each [BOS] — every poem is trained
 * at the positions it has at generation time, which makes line length and punctuation a matter of position. Dev =
 * next-character accuracy at seeded random positions of the held-out poems; at the end, held-out loss/perplexity over
 * every token of the held-out poems.
 *   nice -n 10 npx tsx scripts/train-poetry-gpt.ts --data /work/runs/poetry/data --out /work/runs/poetry/model \
 *     --steps 900
 * SIGINT (or `timeout -s INT`) stops training with a checkpoint; the best-on-dev weights are evaluated and saved.
 * `--resume` continues from the checkpoint exactly; `--finalize` only evaluates and writes out the last checkpoint.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../framework/backend/select.js';
import { readSafetensors, writeSafetensors } from '../framework/checkpoint/safetensors.js';
import { CHAR_SPECIALS, CharVocab } from '../framework/generation/char-vocab.js';
import { GptModel } from '../framework/model/gpt.js';
import { GPT_DEFAULTS, gptConfigToJson, type GptConfig } from '../framework/model/gpt-config.js';
import { CausalLmObjective } from '../framework/model/gpt-objective.js';
import { Rng } from '../framework/pretrain/rng.js';
import { Trainer, type FitResult } from '../framework/trainer/trainer.js';
import { loadTrainerCheckpoint } from '../framework/trainer/checkpoint.js';

const { values: a } = parseArgs({
  options: {
    data: { type: 'string', default: '/work/runs/poetry/data' },
    out: { type: 'string', default: '/work/runs/poetry/model' },
    'min-count': { type: 'string', default: '3' },
    seq: { type: 'string', default: '72' },
    hidden: { type: 'string', default: '256' },
    layers: { type: 'string', default: '4' },
    heads: { type: 'string', default: '4' },
    normalization: { type: 'string', default: 'pre' },
    steps: { type: 'string', default: '900' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '1e-3' },
    'eval-every': { type: 'string', default: '100' },
    'dev-size': { type: 'string', default: '512' },
    'train-poems': { type: 'string' },
    seed: { type: 'string', default: '7' },
    resume: { type: 'boolean', default: false },
    keep: { type: 'string', default: 'final' },
    finalize: { type: 'boolean', default: false },
  },
});
const n = (k: keyof typeof a) => Number(a[k]);

const backend = await initBackend();
const lines = (f: string) =>
  readFileSync(join(a.data!, f), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
let trainPoems = lines('train.txt');
if (a['train-poems']) trainPoems = trainPoems.slice(0, n('train-poems'));
const heldout = lines('heldout.txt');
const counts = new Map<string, number>();
for (const p of trainPoems) for (const ch of p) counts.set(ch, (counts.get(ch) ?? 0) + 1);
const chars = [...counts.entries()]
  .filter(([, c]) => c >= n('min-count'))
  .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
  .map(([ch]) => ch);
const vocab = new CharVocab([...CHAR_SPECIALS, ...chars]);
const encodePoem = (p: string) => [vocab.bos, ...vocab.encode(p), vocab.eos];

const seq = n('seq');
const stream = trainPoems.flatMap(encodePoem);
const chunks: number[][] = [];
let row: number[] = [];
for (const poem of trainPoems.map(encodePoem)) {
  if (poem.length > seq + 1) continue;
  if (row.length + poem.length > seq + 1) {
    chunks.push(row);
    row = [];
  }
  row.push(...poem);
}
if (row.length > 1) chunks.push(row);
const rng = new Rng(n('seed'));
const dev: number[][] = [];
for (let i = 0; i < n('dev-size'); i++) {
  const poem = encodePoem(heldout[rng.int(heldout.length)]!);
  dev.push(poem.slice(0, 2 + rng.int(poem.length - 1)));
}

const config: GptConfig = {
  ...GPT_DEFAULTS,
  vocabSize: vocab.size,
  hiddenSize: n('hidden'),
  numLayers: n('layers'),
  numHeads: n('heads'),
  intermediateSize: 4 * n('hidden'),
  maxPositions: 128,
  normalization: a.normalization === 'post' ? 'post' : 'pre',
  padTokenId: vocab.pad,
  bosTokenId: vocab.bos,
  eosTokenId: vocab.eos,
};
const model = GptModel.create(config, n('seed'));
console.log(
  JSON.stringify({
    backend,
    vocab: vocab.size,
    params: model.params.size(),
    trainPoems: trainPoems.length,
    trainTokens: stream.length,
    chunks: chunks.length,
    dev: dev.length,
    config,
  }),
);

mkdirSync(a.out!, { recursive: true });
const objective = new CausalLmObjective(model, { lr: Number(a.lr), padId: vocab.pad, resetPositionsAt: vocab.bos });
const started = Date.now();
const result = a.finalize
  ? finalized()
  : await new Trainer(objective, {
      maxSteps: n('steps'),
      batchSize: n('batch'),
      seed: n('seed'),
      schedule: 'cosine',
      warmupRatio: 0.05,
      weightDecay: 0.01,
      maxGradNorm: 1,
      evalEvery: n('eval-every'),
      checkpointDir: join(a.out!, 'checkpoint'),
      checkpointEvery: 50,
      resume: a.resume,
      label: 'poetry-gpt',
    }).fit(chunks, dev);
const previous = join(a.out!, 'training_report.json');
const trainSeconds = a.finalize
  ? existsSync(previous)
    ? (JSON.parse(readFileSync(previous, 'utf8')) as { trainSeconds: number }).trainSeconds
    : NaN
  : (Date.now() - started) / 1000;

/** `--finalize`: no training; the run's last checkpoint (weights and history) is evaluated and written out. */
function finalized(): FitResult {
  const ckpt = loadTrainerCheckpoint(join(a.out!, 'checkpoint'));
  if (!ckpt) throw new Error(`${join(a.out!, 'checkpoint')}: no checkpoint to finalize`);
  return {
    bestDev: ckpt.state.bestMetric,
    bestStep: ckpt.state.bestStep,
    steps: ckpt.state.step,
    history: ckpt.state.history,
    interrupted: false,
  };
}

// The trainer restores the best-on-dev weights; dev next-character accuracy plateaus early (punctuation
// first), so by default keep the final weights, which the last checkpoint holds.
if (a.keep === 'final') objective.restore(readSafetensors(join(a.out!, 'checkpoint', 'weights.safetensors')));
const held = objective.meanLoss(heldout.map(encodePoem));
writeFileSync(join(a.out!, 'config.json'), `${JSON.stringify(gptConfigToJson(config), null, 2)}\n`);
writeFileSync(join(a.out!, 'vocab.txt'), `${vocab.tokens.join('\n')}\n`);
writeSafetensors(join(a.out!, 'model.safetensors'), model.stateDict(), { dtype: 'F32' });
const report = {
  backend,
  trainSeconds,
  steps: result.steps,
  interrupted: result.interrupted,
  bestStep: result.bestStep,
  bestDevNextCharAccuracy: result.bestDev,
  heldoutLoss: held.loss,
  heldoutPerplexity: Math.exp(held.loss),
  heldoutTokens: held.tokens,
  vocab: vocab.size,
  params: model.params.size(),
  kept: a.keep,
  trainPoems: trainPoems.length,
  trainTokens: stream.length,
  chunks: chunks.length,
  seq,
  batch: n('batch'),
  lr: Number(a.lr),
  seed: n('seed'),
  tokensSeen: Math.round((result.steps * n('batch') * chunks.reduce((t, c) => t + c.length - 1, 0)) / chunks.length),
  history: result.history,
};
writeFileSync(join(a.out!, 'training_report.json'), `${JSON.stringify(report, null, 1)}\n`);
console.log(JSON.stringify({ ...report, history: undefined }));
