import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, test } from 'vitest';
import { parseExperimentConfig } from './config/experiment.js';
import { tf } from '../framework/backend/tf.js';
import { loadPretrained } from '../framework/model/pretrained.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { evaluate } from '../framework/trainer/evaluate.js';
import { createMethod } from './methods/index.js';
import { OnnxScorer, ortThreadsFromEnv } from './onnx-scoring.js';
import { runExperiment, taskFor } from './run-experiment.js';
import { workerEnv } from './suite/suite.js';
import { saveTinyModel } from '../framework/testing/tiny-bert.js';
import { FIXTURES_DIR, TINY_TRAIN } from './testing/fixtures.js';

let model = '';
beforeAll(async () => {
  model = await saveTinyModel();
});
afterAll(() => rmSync(model, { recursive: true, force: true }));

const run = (task: string, method: string, evalEngine: 'tfjs' | 'onnx') =>
  runExperiment(
    parseExperimentConfig({ task, method, dataDir: FIXTURES_DIR, model, ...TINY_TRAIN, maxSteps: 3, evalEngine }),
    { progress: false },
  );

// Label scores of every example, tfjs method vs the exported
// bundle on ORT (random weights: scores spread, argmaxes differ).
for (const [task, method] of [
  ['tnews', 'pet'],
  ['csl', 'ptuning'],
  ['iflytek', 'efl'],
  ['bustm', 'finetune'],
  ['cluewsc', 'pet'],
  ['csldcp', 'finetune'],
] as const) {
  test(`OnnxScorer: ${task} ${method} label scores match the tfjs method's`, async () => {
    const config = parseExperimentConfig({ task, method, dataDir: FIXTURES_DIR, model, maxSeqLen: 64 });
    const t = taskFor(config);
    const { model: bert } = await loadPretrained(model, { parts: { pooler: true, mlmHead: true } });
    const tokenizer = await BertTokenizer.fromPretrained(model);
    const m = createMethod(method, { model: bert, tokenizer, task: t, maxSeqLen: 64, lr: 1e-4, seed: 3 });
    const scorer = await OnnxScorer.create({ model: bert, tokenizer, method: m, config, task: t }, { threads: 1 });
    try {
      const examples = [...t.load('test_public'), ...t.load('dev', { split: '0' })];
      const [a, b] = [evaluate(m, examples, 8), await scorer.evaluate(examples)];
      assert.equal(b.scores.length, examples.length);
      let [worst, scale] = [0, 0];
      a.scores.forEach((row, i) =>
        row.forEach((v, j) => {
          worst = Math.max(worst, Math.abs(v - b.scores[i]![j]!));
          scale = Math.max(scale, Math.abs(v));
        }),
      );
      // Relative to the scores' size: a random tiny classifier's logits are ~0.01, PET's log-probabilities ~10.
      assert.ok(worst <= 1e-3 * scale, `max |tfjs − ORT| = ${worst} at score scale ${scale}`);
      assert.equal(b.accuracy, a.accuracy);
    } finally {
      await scorer.release();
      m.dispose();
      bert.dispose();
    }
  });
}

test("runExperiment with evalEngine onnx scores test_public on ORT, with the tfjs run's result", async () => {
  const [viaTfjs, viaOnnx] = [await run('eprstmt', 'pet', 'tfjs'), await run('eprstmt', 'pet', 'onnx')];
  assert.deepEqual([viaTfjs.evalEngine, viaOnnx.evalEngine], ['tfjs', 'onnx']);
  assert.equal(viaOnnx.devAccuracy, viaTfjs.devAccuracy);
  assert.equal(viaOnnx.testAccuracy, viaTfjs.testAccuracy);
});

test(`EFL on IFLYTEK with evalEngine onnx: dev (119 pairs per example) and test scored on ORT, \
same numbers as tfjs`, async () => {
  const [viaTfjs, viaOnnx] = [await run('iflytek', 'efl', 'tfjs'), await run('iflytek', 'efl', 'onnx')];
  assert.equal(viaOnnx.evalEngine, 'onnx');
  assert.deepEqual(viaOnnx.history, viaTfjs.history, 'losses and dev accuracies step by step');
  assert.equal(viaOnnx.testAccuracy, viaTfjs.testAccuracy);
});

test('OnnxScorer.agreesWithTfjs: false once the trained weights differ from the exported ones', async () => {
  const config = parseExperimentConfig({
    task: 'bustm',
    method: 'finetune',
    dataDir: FIXTURES_DIR,
    model,
    maxSeqLen: 64,
  });
  const t = taskFor(config);
  const { model: bert } = await loadPretrained(model, { parts: { pooler: true, mlmHead: true } });
  const tokenizer = await BertTokenizer.fromPretrained(model);
  const m = createMethod('finetune', { model: bert, tokenizer, task: t, maxSeqLen: 64, lr: 1e-4, seed: 3 });
  const scorer = await OnnxScorer.create({ model: bert, tokenizer, method: m, config, task: t }, { threads: 1 });
  try {
    const dev = t.load('dev', { split: '0' });
    assert.equal((await scorer.agreesWithTfjs(dev)).ok, true);
    const w = bert.params.get('pooler.dense.weight');
    tf.tidy(() => w.assign(tf.add(w, tf.randomNormal(w.shape, 0, 0.5, 'float32', 1))));
    assert.equal((await scorer.agreesWithTfjs(dev)).ok, false);
  } finally {
    await scorer.release();
    m.dispose();
    bert.dispose();
  }
});

test('evalEngine onnx on a multiple-choice task falls back to tfjs', async () => {
  const r = await run('chid', 'pet', 'onnx');
  assert.equal(r.evalEngine, 'tfjs');
});

test('ORT threads: the local pool gives each worker cores ÷ workers; an explicit setting wins', () => {
  assert.equal(ortThreadsFromEnv({ FEWPROMPT_ORT_THREADS: '3' }), 3);
  assert.equal(ortThreadsFromEnv({ FEWPROMPT_ORT_THREADS: 'x' }), undefined);
  assert.equal(ortThreadsFromEnv({}), undefined);
  assert.ok(Number(workerEnv({}, 64)['FEWPROMPT_ORT_THREADS']) >= 1);
  assert.equal(workerEnv({}, 64)['FEWPROMPT_WASM_THREADS'], '1');
  assert.equal(workerEnv({ FEWPROMPT_ORT_THREADS: '2' }, 64)['FEWPROMPT_ORT_THREADS'], '2');
});
