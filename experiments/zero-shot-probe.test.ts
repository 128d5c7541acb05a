import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { initBackend } from '../framework/backend/select.js';
import { resolvePretrainConfig } from '../framework/pretrain/config.js';
import { pretrain } from '../framework/pretrain/pretrain.js';
import { getTask } from '../datasets/index.js';
import { saveTinyModel } from '../framework/testing/tiny-bert.js';
import { FIXTURES_DIR } from './testing/fixtures.js';
import { batchCalibratedAccuracy, zeroShotProbe } from './zero-shot-probe.js';

let model = '';
const root = mkdtempSync(join(tmpdir(), 'zero-shot-probe-'));
beforeAll(async () => {
  await initBackend();
  model = await saveTinyModel();
});
afterAll(() => {
  rmSync(model, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

test(`zero-shot probe inside pretraining: dev accuracy and top-answer share per task at every evaluation, \
same training losses as without it`, async () => {
  writeFileSync(
    join(root, 'corpus.txt'),
    `${Array.from({ length: 80 }, (_, i) => `物流很快质量很好第${i}次购买还会再来这家店`).join('\n')}\n`,
  );
  const config = (out: string) =>
    resolvePretrainConfig({
      corpus: [{ path: join(root, 'corpus.txt') }],
      out: join(root, out),
      init: model,
      maxSeqLen: 32,
      batchSize: 4,
      maxSteps: 4,
      warmupSteps: 1,
      lr: 1e-3,
      evalEvery: 2,
      evalChunks: 4,
      heldoutPercent: 10,
      checkpointMinutes: 1e6,
      track: false,
      logEvery: 2,
      wwm: false,
    });
  const tasks = ['eprstmt', 'tnews', 'chid'].map((k) => getTask(k as 'eprstmt', { dataDir: FIXTURES_DIR }));
  const inner = zeroShotProbe(tasks, { split: '0' }); // the fixtures have split 0 only
  const seen: Record<string, number>[] = [];
  const probed = await pretrain(config('probed'), {
    progress: false,
    probe: async (m, vocab) => {
      const r = await inner(m, vocab);
      seen.push(r);
      return r;
    },
  });
  const plain = await pretrain(config('plain'), { progress: false });
  assert.ok(probed.heldout && probed.heldout.predictions > 0, 'held-out evaluation ran');
  assert.equal(seen.length, 3, 'before training, at step 2 and at the end');
  for (const r of seen) {
    for (const k of ['eprstmt', 'tnews', 'chid']) {
      assert.ok(r[`${k}_acc`]! >= 0 && r[`${k}_acc`]! <= 1, `${k}_acc ${r[`${k}_acc`]}`);
      assert.ok(r[`${k}_top`]! > 0 && r[`${k}_top`]! <= 1, `${k}_top ${r[`${k}_top`]}`);
      assert.ok(r[`${k}_cal`]! >= 0 && r[`${k}_cal`]! <= 1, `${k}_cal ${r[`${k}_cal`]}`);
    }
    assert.ok(Math.abs(r['mean_acc']! - (r['eprstmt_acc']! + r['tnews_acc']! + r['chid_acc']!) / 3) < 1e-12);
  }
  assert.deepEqual(probed.losses, plain.losses, 'the probe neither trains nor draws randomness');
});

test('batch calibration: a constant preference for one label no longer decides; the signal under it does', () => {
  // Every input prefers label 0 by 5, but label 1's score rises exactly on the inputs whose label is 1.
  const labels = [0, 1, 0, 1, 0, 1];
  const scores = labels.map((y) => [0, -5 + (y === 1 ? 1 : 0)]);
  const raw = scores.filter((s, i) => (s[0]! >= s[1]! ? 0 : 1) === labels[i]).length / labels.length;
  assert.equal(raw, 0.5);
  assert.equal(batchCalibratedAccuracy(scores, labels), 1);
  assert.equal(
    batchCalibratedAccuracy(
      scores,
      labels.map((y) => 1 - y),
    ),
    0,
    'a signal that points the wrong way scores 0',
  );
  assert.equal(
    batchCalibratedAccuracy(
      [
        [1, 2, 3],
        [3, 2, 1],
      ],
      [undefined, 0],
    ),
    1,
    'unlabelled inputs calibrate but do not count',
  );
  assert.ok(Number.isNaN(batchCalibratedAccuracy([], [])));
});
