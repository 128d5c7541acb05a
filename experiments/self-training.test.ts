import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { tf } from '../framework/backend/tf.js';
import { ConfigError } from '../framework/errors.js';
import { softmaxCrossEntropy, softTargetCrossEntropy } from '../framework/ops/cross-entropy.js';
import { parseExperimentConfig } from './config/experiment.js';
import { runExperiment } from './run-experiment.js';
import { getTask } from '../datasets/index.js';
import { softLabels, summarizePseudoLabels, unlabeledPool } from './self-training.js';
import { saveTinyModel } from '../framework/testing/tiny-bert.js';
import { FIXTURES_DIR, TINY_TRAIN } from './testing/fixtures.js';

test('softLabels: softmax of scores / T; T > 1 flattens; T must be positive', () => {
  const [row] = softLabels([[2, 0]], 2);
  assert.ok(Math.abs(row![0]! - 1 / (1 + Math.exp(-1))) < 1e-12);
  assert.ok(Math.abs(row![0]! + row![1]! - 1) < 1e-12);
  assert.ok(softLabels([[2, 0]], 4)[0]![0]! < row![0]!, 'a higher temperature is less sure');
  assert.throws(() => softLabels([[1]], 0), ConfigError);
});

test('summarizePseudoLabels: label shares by argmax and mean confidence', () => {
  assert.deepEqual(
    summarizePseudoLabels([
      [0.9, 0.1],
      [0.4, 0.6],
      [0.8, 0.2],
    ]),
    { examples: 3, labelShare: [2 / 3, 1 / 3], meanConfidence: (0.9 + 0.6 + 0.8) / 3 },
  );
});

test(`softTargetCrossEntropy: one-hot rows give the hard loss; \
value and gradient match −Σ q·log softmax by autodiff`, () => {
  const logits = tf.tensor2d([
    [1, -2, 0.5],
    [0.3, 0.2, -1],
    [2, 1, 0],
  ]);
  const onehot = tf.tensor2d([
    [0, 0, 1],
    [1, 0, 0],
    [0, 1, 0],
  ]);
  const hard = softmaxCrossEntropy(logits, tf.tensor1d([2, 0, 1], 'int32')).dataSync()[0]!;
  assert.ok(Math.abs(softTargetCrossEntropy(logits, onehot).dataSync()[0]! - hard) < 1e-6);
  // Soft rows, and an all-zero row that must be ignored (mean over the two target rows).
  const q = tf.tensor2d([
    [0.2, 0.3, 0.5],
    [0.7, 0.2, 0.1],
    [0, 0, 0],
  ]);
  const reference = (x: tf.Tensor) => tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), q))), 2);
  const ours = tf.valueAndGrad((x: tf.Tensor) => softTargetCrossEntropy(x, q) as tf.Scalar)(logits);
  const theirs = tf.valueAndGrad((x: tf.Tensor) => reference(x) as tf.Scalar)(logits);
  assert.ok(Math.abs(ours.value.dataSync()[0]! - theirs.value.dataSync()[0]!) < 1e-6);
  const [a, b] = [ours.grad.dataSync(), theirs.grad.dataSync()];
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `grad[${i}]: ${v} vs ${b[i]}`));
  assert.throws(() => softTargetCrossEntropy(logits, tf.tensor2d([[1, 0]])), /targets \[N, C\]/);
});

test(`runExperiment with unlabeled: the teacher pseudo-labels the unlabeled part \
and a student trains on both`, async () => {
  const model = await saveTinyModel();
  try {
    const config = parseExperimentConfig({
      task: 'bustm',
      dataDir: FIXTURES_DIR,
      model,
      ...TINY_TRAIN,
      predictTest: false,
      unlabeled: 5,
      selfTrainSteps: 3,
    });
    const result = await runExperiment(config, { progress: false });
    const st = result.selfTraining;
    assert.ok(st, 'selfTraining reported');
    assert.equal(
      st.pseudoLabels.examples,
      2,
      'the fixture has 2 unlabeled examples (all of them are used when fewer than asked)',
    );
    assert.ok(Math.abs(st.pseudoLabels.labelShare.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(st.pseudoLabels.meanConfidence >= 0.5 && st.pseudoLabels.meanConfidence <= 1);
    assert.equal(st.teacher.steps, TINY_TRAIN.maxSteps);
    assert.ok(
      st.teacher.testAccuracy !== undefined && st.teacher.testAccuracy >= 0 && st.teacher.testAccuracy <= 1,
      'the teacher is scored on test too, for the record',
    );
    assert.equal(result.steps, 3, 'the reported steps are the self-training stage');
    assert.ok(result.testAccuracy >= 0 && result.testAccuracy <= 1);
    const efl = parseExperimentConfig({
      task: 'bustm',
      method: 'efl',
      dataDir: FIXTURES_DIR,
      model,
      ...TINY_TRAIN,
      predictTest: false,
      unlabeled: 5,
    });
    await assert.rejects(
      runExperiment(efl, { progress: false }),
      (e: Error) => e instanceof ConfigError && /once per label; efl does not/.test(e.message),
    );
  } finally {
    rmSync(model, { recursive: true, force: true });
  }
});

test('unlabeledPool: a fixed-seed sample that never holds a test_public or test text', () => {
  const data = mkdtempSync(join(tmpdir(), 'fewprompt-pool-'));
  try {
    cpSync(join(FIXTURES_DIR, 'bustm'), join(data, 'bustm'), { recursive: true });
    // The fixture's two unlabeled pairs, plus one pair that is also in test_public (as FewCLUE's files have).
    writeFileSync(
      join(data, 'bustm', 'unlabeled.json'),
      [
        { id: 0, sentence1: '的优点是什么', sentence2: '我还有什么优点呢' },
        { id: 1, sentence1: '对你太可爱了', sentence2: '对你怎么这么可爱' },
        { id: 2, sentence1: '喊我老公', sentence2: '以后就叫我老公' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const task = getTask('bustm', { dataDir: data });
    const { pool, removed } = unlabeledPool(task, 10, 42);
    assert.equal(removed, 1);
    assert.deepEqual(
      pool.map((e) => e.id),
      [0, 1],
    );
    assert.equal(unlabeledPool(task, 1, 42).pool.length, 1);
    assert.deepEqual(unlabeledPool(task, 1, 42), unlabeledPool(task, 1, 42), 'the same sample every call');
    // A malformed test file is an error, not a silently undecontaminated pool; a missing one is no test texts.
    writeFileSync(join(data, 'bustm', 'test.json'), '{not json\n');
    assert.throws(() => unlabeledPool(task, 10, 42), /invalid JSON|Unexpected|JSON/);
    rmSync(join(data, 'bustm', 'test.json'));
    assert.equal(unlabeledPool(task, 10, 42).removed, 1, 'no test.json: test_public alone decontaminates');
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});
