/**
 * bench/engine/memory: does the native backend's memory stay flat over a long run? Trains the shipped 4 × 256 config
 * (MLM, batch 8 × 128, AdamW) for --steps steps (200) on the native backend, recording the process's RSS and the live
 * tensor count every 10 steps, in a child process started as training commands start (bin/training-process.mjs). Passes
 * when RSS after the warm-up grows by less than 5% and the tensor count is constant. Writes
 * bench/results/engine-memory.json and .md.
 *
 *   npx tsx bench/engine/memory.ts [--steps 200]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { TRAINING_NODE_FLAGS, trainingEnv } from '../../bin/training-process.mjs';
import { initBackend } from '../../framework/backend/select.js';
import { tf } from '../../framework/backend/tf.js';
import { BertModel } from '../../framework/model/bert.js';
import { AdamW } from '../../framework/optim/adamw.js';
import { BENCH_CONFIGS, mlmBatch, mlmTrainStep } from './mlm-step.js';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '200' }, child: { type: 'boolean', default: false } },
});
const steps = Number(values.steps);

interface Sample {
  step: number;
  rssMb: number;
  tensors: number;
  stepMs: number;
}

if (values.child) {
  await initBackend();
  const model = BertModel.create(BENCH_CONFIGS.tiny).train();
  const opt = new AdamW(model.params.decayGroups(1e-4, 0.01));
  const samples: Sample[] = [];
  for (let i = 1; i <= steps; i++) {
    const batch = mlmBatch(8, 128, BENCH_CONFIGS.tiny.vocabSize, i); // a new batch each step, as in training
    const t0 = performance.now();
    mlmTrainStep(model, opt, batch);
    const stepMs = performance.now() - t0;
    tf.dispose(Object.values(batch));
    if (i % 10 === 0) {
      samples.push({ step: i, rssMb: process.memoryUsage().rss / 2 ** 20, tensors: tf.memory().numTensors, stepMs });
      process.stderr.write(
        `step ${i}: RSS ${samples.at(-1)!.rssMb.toFixed(0)} MB, ${samples.at(-1)!.tensors} tensors, ` +
          `${stepMs.toFixed(0)} ms\n`,
      );
    }
  }
  console.log(JSON.stringify(samples));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const out = execFileSync(
  process.execPath,
  [...TRAINING_NODE_FLAGS, '--import', 'tsx', self, '--child', '--steps', String(steps)],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
    env: trainingEnv({ ...process.env, FEWPROMPT_BACKEND: 'native', FEWPROMPT_LOG: 'warn' }),
  },
);
const samples = JSON.parse(out.trim().split('\n').pop()!) as Sample[];
// Compare after the warm-up (the first 50 steps size ORT's arenas and the heap).
const settled = samples.filter((s) => s.step >= 50);
const first = settled[0]!;
const last = settled.at(-1)!;
const growth = (last.rssMb - first.rssMb) / first.rssMb;
const tensorsFlat = settled.every((s) => s.tensors === first.tensors);
const pass = growth < 0.05 && tensorsFlat;
const result = { date: new Date().toISOString(), steps, samples, rssGrowthAfterWarmup: growth, tensorsFlat, pass };
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/engine-memory.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
const rows = samples.map((s) => `| ${s.step} | ${s.rssMb.toFixed(0)} | ${s.tensors} | ${s.stepMs.toFixed(0)} |`);
writeFileSync(
  new URL('../results/engine-memory.md', import.meta.url),
  `# bench/engine/memory

Native backend, shipped 4 × 256 config, MLM batch 8 × 128 (a new batch each step), AdamW, ${steps} steps in one process
started as training commands start. RSS from step ${first.step} to ${last.step}: \
${first.rssMb.toFixed(0)} → ${last.rssMb.toFixed(0)} MB
(${(100 * growth).toFixed(1)}%); live tensors ${tensorsFlat ? `constant at ${first.tensors}` : 'NOT constant'}. \
**${pass ? 'Flat' : 'Growing'}.**

| step | RSS (MB) | live tensors | step (ms) |
|---|---|---|---|
${rows.join('\n')}
`,
);
console.log(
  `RSS ${first.rssMb.toFixed(0)} → ${last.rssMb.toFixed(0)} MB (${(100 * growth).toFixed(1)}%), ` +
    `tensors ${tensorsFlat ? 'flat' : 'growing'}: ${pass ? 'PASS' : 'FAIL'}`,
);
process.exitCode = pass ? 0 : 1;
