import { test } from 'vitest';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../framework/backend/select.js';
import { tf } from '../../../framework/backend/tf.js';
import { savePretrained } from '../../../framework/model/pretrained.js';
import { createTinyModel, TINY_DECISIVE_CONFIG, VOCAB_FILE } from '../../../framework/testing/tiny-bert.js';
import { Taskflow } from '../index.js';
import { trainTextCorrection } from './train.js';

const DATA = fileURLToPath(new URL('./fixtures', import.meta.url));

/** A tiny random masked LM saved as a pretrained model directory under `root`. */
function tinyBase(root: string): string {
  const base = join(root, 'base');
  const model = createTinyModel(5, TINY_DECISIVE_CONFIG, { pooler: false });
  savePretrained(model, base);
  model.dispose();
  copyFileSync(VOCAB_FILE, join(base, 'vocab.txt'));
  return base;
}

test('train → export → evaluate → Taskflow, end to end on fixtures with a tiny model', async () => {
  await initBackend();
  const root = mkdtempSync(join(tmpdir(), 'csc-train-'));
  try {
    const base = tinyBase(root);
    const out = join(root, 'run');
    const before = tf.memory().numTensors;
    const r = await trainTextCorrection({
      data: DATA,
      model: base,
      out,
      synthetic: 40,
      devEvery: 10,
      batchSize: 8,
      lr: 1e-3,
      maxSteps: 4,
      maxMinutes: 5,
      maxSeqLen: 32,
      crop: 16,
      seed: 1,
      phases: 'train',
    });
    assert.equal(r.train?.steps, 4);
    assert.equal(tf.memory().numTensors, before, 'training leaks no tensors');
    const tested = await trainTextCorrection({ data: DATA, out, phases: 'export,eval' });
    assert.equal(tested.test?.['confusion']?.sentences, 12);
    for (const f of ['model.onnx', 'vocab.txt', 'confusion.txt', 'csc.json'])
      assert.ok(existsSync(join(out, 'export', f)), f);
    const evaluation = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as {
      test: Record<string, { sentences: number; detection: { f1: number } }>;
    };
    assert.deepEqual(Object.keys(evaluation.test), ['confusion', 'confusion, no detection gate', 'vocab']);
    assert.equal(evaluation.test['confusion']!.sentences, 12);
    const flow = Taskflow('text_correction', { taskPath: join(out, 'export') });
    const result = await flow('遇到逆竟时，我们必须勇于面对');
    assert.equal(result.source, '遇到逆竟时，我们必须勇于面对');
    assert.equal(Array.from(result.target).length, Array.from(result.source).length);
    for (const e of result.errors) {
      const [[wrong, right]] = Object.entries(e.correction) as [[string, string]];
      assert.equal(Array.from(result.source)[e.position], wrong);
      assert.equal(Array.from(result.target)[e.position], right);
    }
    assert.deepEqual(await flow(['', 'ok']), [
      { source: '', target: '', errors: [] },
      { source: 'ok', target: 'ok', errors: [] },
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('maxMinutes stops with a checkpoint; resume continues it to maxSteps', async () => {
  await initBackend();
  const root = mkdtempSync(join(tmpdir(), 'csc-resume-'));
  try {
    const base = tinyBase(root);
    const options = { data: DATA, model: base, out: join(root, 'run'), synthetic: 20, batchSize: 8 };
    const run = { ...options, maxSeqLen: 32, maxSteps: 5, seed: 2, phases: 'train' };
    const stopped = await trainTextCorrection({ ...run, maxMinutes: 0 });
    assert.deepEqual([stopped.train?.steps, stopped.train?.interrupted], [1, true]);
    assert.ok(existsSync(join(root, 'run', 'checkpoint')));
    const resumed = await trainTextCorrection({ ...run, maxMinutes: 5, resume: true });
    assert.deepEqual([resumed.train?.steps, resumed.train?.interrupted], [5, false]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
