import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { saveTinyModel, TINY_RANDOM_CONFIG } from '../framework/testing/tiny-bert.js';
import { parseExperimentConfig } from './config/experiment.js';
import { runExperiment, sampleTestExamples } from './run-experiment.js';
import { FIXTURES_DIR, TINY_TRAIN } from './testing/fixtures.js';

test('sampleTestExamples: a fixed-seed sample in file order, not a prefix of a label-grouped file', () => {
  // 15 labels × 40 examples, grouped by label as FewCLUE's TNEWS test_public is.
  const grouped = Array.from({ length: 600 }, (_, i) => ({ id: i, label: Math.floor(i / 40) }));
  const sample = sampleTestExamples(grouped, 150);
  assert.equal(sample.length, 150);
  assert.deepEqual(sample, sampleTestExamples(grouped, 150), 'the same subset every call');
  assert.ok(
    sample.every((e, i) => i === 0 || e.id > sample[i - 1]!.id),
    'file order kept',
  );
  const labels = new Set(sample.map((e) => e.label));
  assert.equal(labels.size, 15, `a prefix of 150 would hold 4 labels; the sample holds ${labels.size}`);
  assert.deepEqual(sampleTestExamples(grouped, undefined), grouped);
  assert.deepEqual(sampleTestExamples(grouped, 1000), grouped);
});

test('runExperiment writes the test.json submission file unless predictTest is false', async () => {
  const model = await saveTinyModel();
  const dirs = [model];
  try {
    for (const predictTest of [true, false]) {
      const out = mkdtempSync(join(tmpdir(), 'fewprompt-run-'));
      dirs.push(out);
      const config = parseExperimentConfig({ task: 'bustm', dataDir: FIXTURES_DIR, model, ...TINY_TRAIN, predictTest });
      const result = await runExperiment(config, { out, saveModel: false, progress: false });
      assert.ok(result.testExamples > 0);
      assert.ok(existsSync(join(out, 'metrics.json')));
      assert.equal(existsSync(join(out, 'bustm_predict.json')), predictTest, `predictTest ${predictTest}`);
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('runExperiment with scoreTest false never loads test_public (dev-only selection runs)', async () => {
  const model = await saveTinyModel();
  // A data dir with train and dev only: loading test_public would throw.
  const data = mkdtempSync(join(tmpdir(), 'fewprompt-devonly-'));
  try {
    mkdirSync(join(data, 'bustm'));
    for (const f of ['train_0.json', 'dev_0.json'])
      copyFileSync(join(FIXTURES_DIR, 'bustm', f), join(data, 'bustm', f));
    const config = parseExperimentConfig({ task: 'bustm', dataDir: data, model, ...TINY_TRAIN, predictTest: false });
    const result = await runExperiment(config, { scoreTest: false, progress: false });
    assert.equal(result.testExamples, 0);
    assert.ok(Number.isNaN(result.testAccuracy));
    assert.ok(result.devAccuracy >= 0 && result.devAccuracy <= 1);
    assert.equal(result.evalEngine, undefined);
  } finally {
    rmSync(data, { recursive: true, force: true });
    rmSync(model, { recursive: true, force: true });
  }
});

test(`a model with fewer positions than maxSeqLen trains on truncated inputs \
(Hugging Face truncates to model_max_length)`, async () => {
  // A tiny model with 64 positions: maxSeqLen 128 used to fail every run with "sequence length 92 exceeds …".
  const model = await saveTinyModel({ config: { ...TINY_RANDOM_CONFIG, maxPositionEmbeddings: 64 } });
  try {
    const config = parseExperimentConfig({
      task: 'csl',
      dataDir: FIXTURES_DIR,
      model,
      ...TINY_TRAIN,
      maxSeqLen: 128,
      predictTest: false,
    });
    const result = await runExperiment(config, { progress: false });
    assert.ok(result.testExamples > 0 && result.testAccuracy >= 0);
  } finally {
    rmSync(model, { recursive: true, force: true });
  }
});

test('a finished run pins its prompt in method.json and drops its checkpoint unless asked to keep it', async () => {
  const model = await saveTinyModel();
  const dirs = [model];
  try {
    for (const keepCheckpoint of [false, true]) {
      const out = mkdtempSync(join(tmpdir(), 'fewprompt-pin-'));
      dirs.push(out);
      const config = parseExperimentConfig({
        task: 'eprstmt',
        dataDir: FIXTURES_DIR,
        model,
        ...TINY_TRAIN,
        predictTest: false,
      });
      await runExperiment(config, { out, saveModel: true, progress: false, keepCheckpoint });
      const spec = JSON.parse(readFileSync(join(out, 'method.json'), 'utf8')) as {
        template: string;
        labelWords?: Record<string, string[]>;
      };
      assert.ok(spec.template.includes("{'mask'}"), 'the default template is pinned');
      assert.deepEqual(
        Object.keys(spec.labelWords ?? {}).sort(),
        ['Negative', 'Positive'],
        'the default label words are pinned',
      );
      assert.equal(existsSync(join(out, 'checkpoint')), keepCheckpoint, `keepCheckpoint ${keepCheckpoint}`);
      assert.ok(existsSync(join(out, 'model', 'model.safetensors')), 'what export needs stays');
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test(`methods that do not score with the MLM head train on an encoder without one (and without a pooler); PET \
refuses it naming the missing keys`, async () => {
  const model = await saveTinyModel({ parts: { pooler: false, mlmHead: false } });
  try {
    for (const method of ['finetune', 'efl']) {
      const config = parseExperimentConfig({ task: 'bustm', dataDir: FIXTURES_DIR, model, ...TINY_TRAIN, method });
      const result = await runExperiment(config, { scoreTest: false, progress: false });
      assert.ok(result.devAccuracy >= 0 && result.devAccuracy <= 1, method);
    }
    const pet = parseExperimentConfig({ task: 'bustm', dataDir: FIXTURES_DIR, model, ...TINY_TRAIN, method: 'pet' });
    await assert.rejects(runExperiment(pet, { scoreTest: false, progress: false }), /missing keys .*cls\.predictions/);
  } finally {
    rmSync(model, { recursive: true, force: true });
  }
});
