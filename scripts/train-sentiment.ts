/**
 * Trains the `sentiment_analysis` Taskflow model: PET or fine-tuning of the default pretrained encoder
 * on ChnSentiCorp, the best checkpoint chosen on (a slice of) dev, saved as a run directory that
 * `fewprompt export` reads; then exports it (INT8 by default) and scores the bundle on the full dev and
 * test sets with ONNX Runtime.
 *
 *   npx tsx scripts/train-sentiment.ts --method pet --max-steps 300 --out /work/runs/sentiment/pet
 *
 * Options (defaults in brackets): --data DIR [../shared/sentiment] --model DIR [shipped default]
 * --method pet|finetune [pet] --max-steps N [300] --batch-size N [16] --max-seq-len N [128] --lr X [1e-4]
 * --eval-every N [50] --dev-limit N [240] --seed N [42] --precision fp32|fp16|int8 [int8] --out DIR (required)
 * --from-checkpoint: skip training and finish (save, export, score) from the weights of DIR/checkpoint, e.g. a run
 * cut short for time at its last dev evaluation (its steps are reported; the schedule was that of --max-steps).
 * --compact: export with int8 word embeddings too (exportCompactBundle; about 9 MB instead of 25 MB).
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
import { Trainer } from '../framework/trainer/trainer.js';
import { chnSentiCorpTask } from '../datasets/chnsenticorp/chnsenticorp.js';
import type { Example } from '../datasets/base.js';
import { createMethod } from '../experiments/methods/index.js';
import { checkChoice, PRECISIONS } from '../inference/export/bert-graph.js';
import { exportRun } from '../experiments/export-run.js';
import { loadClassifier } from '../inference/runtime/classifier.js';
import { numberFlag } from '../experiments/cli/flags.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/sentiment' },
    model: { type: 'string' },
    method: { type: 'string', default: 'pet' },
    'max-steps': { type: 'string', default: '300' },
    'batch-size': { type: 'string', default: '16' },
    'max-seq-len': { type: 'string', default: '128' },
    lr: { type: 'string', default: '1e-4' },
    'eval-every': { type: 'string', default: '50' },
    'dev-limit': { type: 'string', default: '240' },
    seed: { type: 'string', default: '42' },
    precision: { type: 'string', default: 'int8' },
    out: { type: 'string' },
    'from-checkpoint': { type: 'boolean', default: false },
    compact: { type: 'boolean', default: false },
  },
});
const num = (flag: keyof typeof values): number => numberFlag(values, flag);
if (values.out === undefined) throw new ConfigError('--out DIR is required');
if (values.method !== 'pet' && values.method !== 'finetune')
  throw new ConfigError(`--method must be pet or finetune, got '${values.method}'`);
const out = values.out;
const method = values.method;
const precision = checkChoice('--precision', values.precision, PRECISIONS);
const [maxSteps, batchSize, maxSeqLen, lr, evalEvery, devLimit, seed] = (
  ['max-steps', 'batch-size', 'max-seq-len', 'lr', 'eval-every', 'dev-limit', 'seed'] as const
).map(num) as [number, number, number, number, number, number, number];

await initBackend();
const task = chnSentiCorpTask(values.data);
const train = task.load('train');
const devAll = task.load('dev');
const test = task.load('test_public');
// Checkpoint selection on a fixed, seeded slice of dev (tfjs scoring
// of all 1,200 at each evaluation would cost more than the training).
const devSlice = seededSample(devAll, devLimit, seed);
const modelDir = modelOrDefault(values.model);
const { model, dir } = await loadPretrained(modelDir, { parts: { pooler: true, mlmHead: true } });
const tokenizer = await BertTokenizer.fromPretrained(dir);
const m = createMethod(method, { model, tokenizer, task, maxSeqLen, lr, seed });
const t0 = Date.now();
const fit = values['from-checkpoint']
  ? fromCheckpoint(join(out, 'checkpoint'))
  : await new Trainer(m, {
      maxSteps,
      batchSize,
      evalEvery,
      seed,
      warmupRatio: 0.06,
      label: `chnsenticorp/${method}`,
      checkpointDir: join(out, 'checkpoint'),
    }).fit(train, devSlice);
const trainSeconds = values['from-checkpoint'] ? NaN : (Date.now() - t0) / 1000;
console.log(
  `trained ${fit.steps} steps in ${trainSeconds.toFixed(0)} s; ` +
    `best dev-slice accuracy ${fit.bestDev.toFixed(4)} at step ${fit.bestStep}`,
);

mkdirSync(out, { recursive: true });
savePretrained(model, join(out, 'model'));
await tokenizer.save(join(out, 'model'));
const own = new Map([...m.snapshot()].filter(([k]) => k.startsWith('method.')));
if (own.size > 0) writeSafetensors(join(out, 'method.safetensors'), own);
writeFileSync(join(out, 'method.json'), `${JSON.stringify(m.getConfig(), null, 2)}\n`);
m.dispose();
model.dispose();

// Score the exported bundle (what Taskflow serves) on every dev and test example.
const bundle = join(out, values.compact ? 'bundle-compact' : `bundle-${precision}`);
const exportOptions = values.compact
  ? ({ precision: 'int8', fusion: 'contrib', wordEmbeddings: 'int8-rows' } as const)
  : { precision };
await exportRun(out, bundle, exportOptions);
const clf = await loadClassifier(bundle);
const accuracy = async (examples: Example[]): Promise<number> => {
  const preds = await clf.predict(
    examples.map((e) => ({ text_a: String(e.fields['text_a']) })),
    { batchSize: 32 },
  );
  return preds.filter((p, i) => p.label === examples[i]!.label).length / examples.length;
};
const t1 = Date.now();
const [devAccuracy, testAccuracy] = [await accuracy(devAll), await accuracy(test)];
const evalSeconds = (Date.now() - t1) / 1000;
await clf.release();
const metrics = {
  task: 'chnsenticorp',
  method,
  model: modelDir,
  steps: fit.steps,
  bestStep: fit.bestStep,
  batchSize,
  maxSeqLen,
  lr,
  seed,
  trainExamplesSeen: fit.steps * batchSize,
  devSliceAccuracy: fit.bestDev,
  devSliceSize: devSlice.length,
  trainSeconds,
  bundlePrecision: values.compact ? 'int8 (int8 word embeddings)' : precision,
  maxSteps,
  evalEvery,
  devAccuracy,
  testAccuracy,
  devExamples: devAll.length,
  testExamples: test.length,
  evalSeconds,
};
writeFileSync(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
writeFileSync(join(out, 'history.json'), `${JSON.stringify(fit.history)}\n`);
// Re-export so bundle.json carries the final metrics.
await exportRun(out, bundle, exportOptions);
console.log(JSON.stringify(metrics));

function seededSample<T>(items: readonly T[], n: number, s: number): T[] {
  const idx = items.map((_, i) => i);
  let state = s >>> 0 || 1;
  for (let i = idx.length - 1; i > 0; i--) {
    state = (state * 1664525 + 1013904223) >>> 0;
    const j = state % (i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, Math.min(n, idx.length)).map((i) => items[i]!);
}

/** The best (else last) checkpointed weights, restored into the method, as a fit result. */
function fromCheckpoint(dir: string): {
  steps: number;
  bestDev: number;
  bestStep: number;
  history: { step: number; loss?: number; dev?: number }[];
} {
  const ckpt = loadTrainerCheckpoint(dir);
  if (!ckpt) throw new ConfigError(`--from-checkpoint: no checkpoint in ${dir}`);
  m.restore(ckpt.best.size > 0 ? ckpt.best : ckpt.weights);
  return {
    steps: ckpt.state.step,
    bestDev: ckpt.state.bestMetric,
    bestStep: ckpt.state.bestStep,
    history: ckpt.state.history,
  };
}
