/**
 * bench/inference/parity: an exported run against the tfjs model it came from, on EPRSTMT
 * test_public (610 examples): FP32 ONNX scores vs tfjs (max |Δ|, label agreement, accuracy) and
 * INT8 vs FP32 (label agreement, accuracy change). Inputs are truncated exactly as in training
 * (`Classifier.scores`, no AutoSplitter), so the comparison is like for like.
 *
 *   npx tsx bench/inference/parity.ts --run /tmp/run-pet [--limit 610] [--cpu-limit 96]
 *
 * Writes bench/results/inference-parity.json and .md (one row per run method).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { useBackend } from '../../framework/testing/backends.js';
import { readSafetensors } from '../../framework/checkpoint/safetensors.js';
import { loadStateDict } from '../../framework/checkpoint/state-dict.js';
import { loadPretrained } from '../../framework/model/pretrained.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { getTask, type FewClueKind } from '../../datasets/index.js';
import { createMethod } from '../../experiments/methods/index.js';
import { exportRun } from '../../experiments/export-run.js';
import { loadClassifier } from '../../inference/runtime/index.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    limit: { type: 'string', default: '610' },
    'cpu-limit': { type: 'string', default: '96' },
    out: { type: 'string', default: 'bench/results' },
  },
});
if (!values.run) throw new Error('usage: parity.ts --run DIR');
const run = values.run;
const methodJson = JSON.parse(readFileSync(join(run, 'method.json'), 'utf8')) as {
  kind: string;
  task: { type: FewClueKind };
  template?: string;
  labelWords?: Record<string, string[]>;
  maxSeqLen: number;
};
const task = getTask(methodJson.task.type);
const examples = task.load('test_public').slice(0, Number(values.limit));
const cpuLimit = Math.min(examples.length, Number(values['cpu-limit']));

// tfjs reference: the training method itself, in eval mode — on the wasm backend for every example, and on the
// reference `cpu` backend (pure JS, slow) for the first `cpu-limit`: wasm differs from cpu by ~2e-4 on these scores
// (XNNPACK's summation order), more than the 1e-4 budget, so the exact check is against cpu.
const { model, dir } = await loadPretrained(join(run, 'model'), { parts: { pooler: true, mlmHead: true } });
const tokenizer = await BertTokenizer.fromPretrained(dir);
const method = createMethod(
  methodJson.kind,
  { model, tokenizer, task, maxSeqLen: methodJson.maxSeqLen, lr: 0, seed: 1 },
  {
    ...(methodJson.template ? { template: methodJson.template } : {}),
    ...(methodJson.labelWords ? { labelWords: methodJson.labelWords } : {}),
  },
);
if (existsSync(join(run, 'method.safetensors')))
  method.restore(new Map([...loadStateDict(join(run, 'model')), ...readSafetensors(join(run, 'method.safetensors'))]));
function tfjsScores(n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i += 32) {
    const batch = method.makeBatch(examples.slice(i, Math.min(n, i + 32)), false);
    out.push(...method.scores(batch));
    method.disposeBatch(batch);
  }
  return out;
}
await useBackend('wasm');
let t0 = performance.now();
const refScores = tfjsScores(examples.length);
const tfjsMs = performance.now() - t0;
await useBackend('cpu');
const cpuScores = tfjsScores(cpuLimit);
const gold = examples.map((e) => task.labels.indexOf(e.label as never));
const accuracy = (pred: number[]) => pred.filter((p, i) => p === gold[i]).length / pred.length;
const argmax = (r: ArrayLike<number>) => Array.from(r).indexOf(Math.max(...Array.from(r)));
const maxDiff = (a: ArrayLike<number>[], b: ArrayLike<number>[]) =>
  Math.max(...a.map((r, i) => Math.max(...Array.from(r, (v, j) => Math.abs(v - b[i]![j]!)))));

const tmp = mkdtempSync(join(tmpdir(), 'parity-'));

const result: Record<string, unknown> = {
  run,
  method: methodJson.kind,
  task: task.kind,
  examples: examples.length,
  cpuExamples: cpuLimit,
  tfjsAccuracy: accuracy(refScores.map(argmax)),
  tfjsWasmMs: Math.round(tfjsMs),
  tfjsWasmVsCpuMaxAbsDiff: maxDiff(cpuScores, refScores),
};
const preds: Record<string, number[]> = {};
for (const precision of ['fp32', 'int8'] as const) {
  await exportRun(run, join(tmp, precision), { precision });
  const clf = await loadClassifier(join(tmp, precision));
  const inputs = examples.map(
    (e) =>
      Object.fromEntries(Object.entries(e.fields).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
  );
  t0 = performance.now();
  const scores: Float32Array[] = [];
  for (let i = 0; i < inputs.length; i += 32) scores.push(...(await clf.scores(inputs.slice(i, i + 32))));
  const ms = performance.now() - t0;
  preds[precision] = scores.map(argmax);
  result[precision] = {
    maxAbsDiffVsTfjsCpu: maxDiff(scores.slice(0, cpuLimit), cpuScores),
    maxAbsDiffVsTfjsWasm: maxDiff(scores, refScores),
    labelAgreementVsTfjs: preds[precision]!.filter((p, i) => p === argmax(refScores[i]!)).length / examples.length,
    accuracy: accuracy(preds[precision]!),
    ms: Math.round(ms),
  };
  await clf.release();
}
result['int8VsFp32'] = {
  labelAgreement: preds['int8']!.filter((p, i) => p === preds['fp32']![i]).length / examples.length,
  accuracyChangePoints: 100 * (accuracy(preds['int8']!) - accuracy(preds['fp32']!)),
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(values.out, { recursive: true });
const file = join(values.out, 'inference-parity.json');
const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
all[methodJson.kind] = result;
writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
const md = [
  '# Export parity: ONNX Runtime vs tfjs on EPRSTMT test_public',
  '',
  'Generated by `bench/inference/parity.ts`. Scores: PET label scores (vocab-normalised log-probabilities), ' +
    'fine-tuning logits. Max |Δ| against tfjs on its reference `cpu` backend (first N examples) and on `wasm` ' +
    '(all; wasm itself differs from cpu by the last column); agreement and accuracy over all examples.',
  '',
  '| run | examples (cpu) | FP32 max abs Δ vs tfjs cpu | vs tfjs wasm | FP32 label agreement | tfjs acc ' +
    '| FP32 acc | INT8 agreement vs FP32 | INT8 acc | INT8 Δ acc (points) | tfjs wasm vs cpu |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...Object.values(all).map((r) => {
    const x = r as {
      method: string;
      examples: number;
      cpuExamples: number;
      tfjsAccuracy: number;
      tfjsWasmVsCpuMaxAbsDiff: number;
      fp32: {
        maxAbsDiffVsTfjsCpu: number;
        maxAbsDiffVsTfjsWasm: number;
        labelAgreementVsTfjs: number;
        accuracy: number;
      };
      int8: { accuracy: number };
      int8VsFp32: { labelAgreement: number; accuracyChangePoints: number };
    };
    return (
      `| ${x.method} | ${x.examples} (${x.cpuExamples}) | ${x.fp32.maxAbsDiffVsTfjsCpu.toExponential(2)} ` +
      `| ${x.fp32.maxAbsDiffVsTfjsWasm.toExponential(2)} | ${(100 * x.fp32.labelAgreementVsTfjs).toFixed(1)}% ` +
      `| ${(100 * x.tfjsAccuracy).toFixed(2)} | ${(100 * x.fp32.accuracy).toFixed(2)} ` +
      `| ${(100 * x.int8VsFp32.labelAgreement).toFixed(1)}% | ${(100 * x.int8.accuracy).toFixed(2)} ` +
      `| ${x.int8VsFp32.accuracyChangePoints.toFixed(2)} | ${x.tfjsWasmVsCpuMaxAbsDiff.toExponential(2)} |`
    );
  }),
];
writeFileSync(join(values.out, 'inference-parity.md'), `${md.join('\n')}\n`);
method.dispose();
model.dispose();
