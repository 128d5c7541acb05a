/**
 * Trains, exports and evaluates the `text_correction` Taskflow model (see inference/taskflow/text-correction/ and
 * models/taskflow/text-correction/MODEL_CARD.md).
 *
 *   npx tsx scripts/train-csc.ts --out /work/runs/csc/final --max-minutes 40 --max-steps 450
 *   npx tsx scripts/train-csc.ts --out /work/runs/csc/final --phases export,eval \
 *     --export-to models/taskflow/text-correction
 *
 * Phases: `train` (writes OUT/model, OUT/dev.json, OUT/train.json), `export` (OUT/model → ONNX model
 * directory, thresholds tuned on the held-out dev slice; written to OUT/export and, with --export-to, there too),
 * `eval` (SIGHAN-2015 test, sentence-level detection/correction P/R/F1 in both candidate modes → OUT/eval.json).
 *
 * Options (defaults in brackets): --model DIR [shipped default encoder] --data DIR [../shared]
 * --phases LIST [train,export,eval] --max-steps N [450] --max-minutes N [40] --batch-size N [32] --lr X [3e-4]
 * --max-seq-len N [128] --synthetic N [8000] --keep-rate X [0.15] --crop N [0: whole sentences] --seed N [42]
 * --precision fp32|fp16|int8 [int8]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../framework/backend/select.js';
import { ConfigError } from '../framework/errors.js';
import { log } from '../framework/log.js';
import { modelOrDefault } from '../framework/model/default.js';
import { numberFlag } from '../experiments/cli/flags.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string', default: '../shared' },
    out: { type: 'string' },
    phases: { type: 'string', default: 'train,export,eval' },
    'max-steps': { type: 'string', default: '450' },
    'max-minutes': { type: 'string', default: '40' },
    'batch-size': { type: 'string', default: '32' },
    lr: { type: 'string', default: '3e-4' },
    'max-seq-len': { type: 'string', default: '128' },
    synthetic: { type: 'string', default: '8000' },
    'keep-rate': { type: 'string', default: '0.15' },
    crop: { type: 'string', default: '0' },
    seed: { type: 'string', default: '42' },
    precision: { type: 'string', default: 'int8' },
    'export-to': { type: 'string' },
  },
});
const num = (flag: keyof typeof values): number => numberFlag(values, flag);
if (values.out === undefined) throw new ConfigError('--out DIR is required');
const out = values.out;
const data = values.data;
const phases = values.phases.split(',');
const unknown = phases.filter((p) => !['train', 'export', 'eval'].includes(p));
if (unknown.length > 0) throw new ConfigError(`--phases: unknown ${unknown.join(', ')}; valid: train, export, eval`);

if (phases.includes('train')) {
  await initBackend();
  const { trainCsc } = await import('../inference/taskflow/text-correction/train.js');
  const r = await trainCsc({
    model: modelOrDefault(values.model),
    out,
    sighanInput: join(data, 'csc/sighan13-15_train_input.txt'),
    sighanTruth: join(data, 'csc/sighan13-15_train_truth.txt'),
    pinyin: join(data, 'csc/same_pinyin.txt'),
    stroke: join(data, 'csc/same_stroke.txt'),
    corpora: ['clue_corpus_small_sampled.txt', 'thucnews_train.txt', 'waimai_10k.csv'].map((f) =>
      join(data, 'corpora', f),
    ),
    synthetic: num('synthetic'),
    cleanSighanRate: 0.35,
    devEvery: 20,
    batchSize: num('batch-size'),
    lr: num('lr'),
    maxSteps: num('max-steps'),
    maxMinutes: num('max-minutes'),
    maxSeqLen: num('max-seq-len'),
    keepRate: num('keep-rate'),
    cropChars: num('crop'),
    seed: num('seed'),
  });
  log.info(`csc training: ${r.steps} steps in ${r.minutes.toFixed(1)} min → ${r.dir}`);
}
if (phases.includes('export') || phases.includes('eval')) {
  const { exportAndEvaluate } = await import('../inference/taskflow/text-correction/evaluate.js');
  await exportAndEvaluate({
    run: out,
    data,
    precision: values.precision,
    phases,
    ...(values['export-to'] === undefined ? {} : { exportTo: values['export-to'] }),
  });
}
