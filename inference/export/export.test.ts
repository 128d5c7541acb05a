import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { BundleError, ExportError } from '../../framework/errors.js';
import { useBackend } from '../../framework/testing/backends.js';
import type { BertModel } from '../../framework/model/bert.js';
import { loadClassifier } from '../runtime/classifier.js';
import { exportTinyRun, SAMPLE_TEXTS, tfjsFinetuneScores, tfjsPetScores, writeTinyRun } from '../testing/tiny-run.js';
import { readRunSpec } from './bundle.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-export-'));
const models: BertModel[] = [];
beforeAll(() => useBackend('cpu'));
afterAll(() => {
  for (const m of models) m.dispose();
  rmSync(root, { recursive: true, force: true });
});

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

function compare(ref: number[][], got: Float32Array[]): { worst: number; agree: number } {
  let worst = 0;
  let agree = 0;
  ref.forEach((r, i) => {
    r.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - got[i]![j]!));
    });
    if (argmax(r) === argmax(got[i]!)) agree++;
  });
  return { worst, agree: agree / ref.length };
}

/** 60 short reviews: every sample text, cut at several lengths. */
const MANY = SAMPLE_TEXTS.flatMap((t) =>
  [4, 7, 10, 13, 16, 20, 24, 30, 36, 60].map((n) => [...t].slice(0, n).join('')),
);

test(`PET export: FP32 scores match tfjs within 1e-4 with identical labels, fused (11 nodes/layer) and unfused \
(34)`, async () => {
  const run = join(root, 'pet');
  const { model, tokenizer } = await writeTinyRun(run, 'pet');
  models.push(model);
  const ref = tfjsPetScores(model, tokenizer, MANY, 48);
  for (const [fusion, nodes] of [
    ['contrib', 11],
    ['none', 34],
  ] as const) {
    const manifest = await exportTinyRun(run, join(root, `pet-${fusion}`), { fusion });
    assert.equal(manifest.model.nodesPerLayer, nodes);
    assert.deepEqual(manifest.textFields, ['sentence']);
    assert.deepEqual(manifest.verbalizer?.labelWords, { Negative: ['不'], Positive: ['很'] });
    const clf = await loadClassifier(join(root, `pet-${fusion}`));
    const { worst, agree } = compare(ref, await clf.scores(MANY));
    assert.ok(worst < 1e-4, `${fusion}: max |ort - tfjs| = ${worst}`);
    assert.equal(agree, 1);
    await clf.release();
  }
});

test('fine-tuning export: FP32 logits match tfjs within 1e-4 with identical labels', async () => {
  const run = join(root, 'ft');
  const { model, tokenizer, classifier } = await writeTinyRun(run, 'finetune');
  models.push(model);
  const ref = tfjsFinetuneScores(model, tokenizer, MANY, 48, classifier!);
  const manifest = await exportTinyRun(run, join(root, 'ft-bundle'));
  assert.equal(manifest.method, 'finetune');
  const clf = await loadClassifier(join(root, 'ft-bundle'));
  const { worst, agree } = compare(ref, await clf.scores(MANY));
  assert.ok(worst < 1e-4, `max |ort - tfjs| = ${worst}`);
  assert.equal(agree, 1);
  await clf.release();
});

test('INT8 and FP16 exports: labels agree with FP32 on the tiny model, probabilities stay close', async () => {
  const run = join(root, 'pet');
  const fp32 = await loadClassifier(join(root, 'pet-contrib'));
  const base = await fp32.predict(MANY);
  for (const [precision, nodes, maxProbDiff, minAgree] of [
    ['int8', 10, 0.05, 0.95],
    ['fp16', 11, 1e-3, 1],
  ] as const) {
    const manifest = await exportTinyRun(run, join(root, `pet-${precision}`), { precision });
    assert.equal(manifest.model.nodesPerLayer, nodes);
    const clf = await loadClassifier(join(root, `pet-${precision}`));
    const got = await clf.predict(MANY);
    const agree = got.filter((p, i) => p.label === base[i]!.label).length / MANY.length;
    const diff = Math.max(
      ...got.map((p, i) => Math.abs(p.probabilities['Positive']! - base[i]!.probabilities['Positive']!)),
    );
    assert.ok(agree >= minAgree, `${precision}: label agreement ${agree}`);
    assert.ok(diff < maxProbDiff, `${precision}: max probability difference ${diff}`);
    await clf.release();
  }
  await fp32.release();
});

test(`predict: Taskflow shape, long texts split into windows instead of truncated, batch size does not change \
results`, async () => {
  const clf = await loadClassifier(join(root, 'pet-contrib'));
  const long = SAMPLE_TEXTS[4]!.repeat(3);
  const [a, b] = await clf.predict(['很好用', long], { batchSize: 1 });
  assert.deepEqual(Object.keys(a!).sort(), ['label', 'probabilities', 'score', 'text', 'windows']);
  assert.equal(a!.text, '很好用');
  assert.ok(['Negative', 'Positive'].includes(a!.label) && a!.score >= 0.5 && a!.score <= 1);
  assert.equal(a!.windows, 1);
  assert.ok(b!.windows > 1, `a ${[...long].length}-character text at maxSeqLen 48 needs several windows`);
  const again = await clf.predict(['很好用', long], { batchSize: 32 });
  assert.ok(Math.abs(again[1]!.score - b!.score) < 1e-5);
  await assert.rejects(clf.predict(['x'], { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  await clf.release();
});

test('export and load errors name the run, the method and the bundle', async () => {
  const run = join(root, 'unknown-method');
  await writeTinyRun(run, 'pet').then(({ model }) => models.push(model));
  writeFileSync(join(run, 'method.json'), JSON.stringify({ kind: 'pet', labels: 'a', maxSeqLen: 8 }));
  assert.throws(
    () => readRunSpec(run),
    (e: unknown) => e instanceof ExportError && /method\.json: labels must be an array/.test(e.message),
  );
  assert.throws(() => readRunSpec(join(root, 'nope')), ExportError);
  await assert.rejects(
    loadClassifier(root),
    (e: unknown) => e instanceof BundleError && /not a fewprompt bundle/.test(e.message),
  );
});
