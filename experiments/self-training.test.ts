import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { tf } from '../framework/backend/tf.js';
import { ConfigError } from '../framework/errors.js';
import { softmaxCrossEntropy, softTargetCrossEntropy } from '../framework/ops/cross-entropy.js';
import { parseExperimentConfig } from './config/experiment.js';
import { runExperiment } from './run-experiment.js';
import { softLabels, summarizePseudoLabels } from './self-training.js';
import { FIXTURES_DIR, saveTinyModel, TINY_TRAIN } from './suite/testing/tiny-model.js';

test('softLabels: softmax of scores / T; T > 1 flattens; T must be positive', () => {
  const [row] = softLabels([[2, 0]], 2);
  assert.ok(Math.abs(row![0]! - 1 / (1 + Math.exp(-1))) < 1e-12);
  assert.ok(Math.abs(row![0]! + row![1]! - 1) < 1e-12);
  assert.ok(softLabels([[2, 0]], 4)[0]![0]! < row![0]!, 'a higher temperature is less sure');
  assert.throws(() => softLabels([[1]], 0), ConfigError);
});

test('summarizePseudoLabels: label shares by argmax and mean confidence', () => {
  assert.deepEqual(summarizePseudoLabels([[0.9, 0.1], [0.4, 0.6], [0.8, 0.2]]), { examples: 3, labelShare: [2 / 3, 1 / 3], meanConfidence: (0.9 + 0.6 + 0.8) / 3 });
});

test('softTargetCrossEntropy: one-hot rows give the hard loss; value and gradient match −Σ q·log softmax by autodiff', () => {
  const logits = tf.tensor2d([[1, -2, 0.5], [0.3, 0.2, -1], [2, 1, 0]]);
  const onehot = tf.tensor2d([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
  const hard = softmaxCrossEntropy(logits, tf.tensor1d([2, 0, 1], 'int32')).dataSync()[0]!;
  assert.ok(Math.abs(softTargetCrossEntropy(logits, onehot).dataSync()[0]! - hard) < 1e-6);
  // Soft rows, and an all-zero row that must be ignored (mean over the two target rows).
  const q = tf.tensor2d([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1], [0, 0, 0]]);
  const reference = (x: tf.Tensor) => tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), q))), 2);
  const ours = tf.valueAndGrad((x: tf.Tensor) => softTargetCrossEntropy(x, q) as tf.Scalar)(logits);
  const theirs = tf.valueAndGrad((x: tf.Tensor) => reference(x) as tf.Scalar)(logits);
  assert.ok(Math.abs(ours.value.dataSync()[0]! - theirs.value.dataSync()[0]!) < 1e-6);
  const [a, b] = [ours.grad.dataSync(), theirs.grad.dataSync()];
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6, `grad[${i}]: ${v} vs ${b[i]}`));
  assert.throws(() => softTargetCrossEntropy(logits, tf.tensor2d([[1, 0]])), /targets \[N, C\]/);
});

test('runExperiment with unlabeled: the teacher pseudo-labels the unlabeled part and a student trains on both', async () => {
  const model = await saveTinyModel();
  try {
    const config = parseExperimentConfig({ task: 'bustm', dataDir: FIXTURES_DIR, model, ...TINY_TRAIN, predictTest: false, unlabeled: 5, selfTrainSteps: 3 });
    const result = await runExperiment(config, { progress: false });
    const st = result.selfTraining;
    assert.ok(st, 'selfTraining reported');
    assert.equal(st.pseudoLabels.examples, 2, 'the fixture has 2 unlabeled examples (all of them are used when fewer than asked)');
    assert.ok(Math.abs(st.pseudoLabels.labelShare.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(st.pseudoLabels.meanConfidence >= 0.5 && st.pseudoLabels.meanConfidence <= 1);
    assert.equal(st.teacher.steps, TINY_TRAIN.maxSteps);
    assert.equal(result.steps, 3, 'the reported steps are the self-training stage');
    assert.ok(result.testAccuracy >= 0 && result.testAccuracy <= 1);
    const efl = parseExperimentConfig({ task: 'bustm', method: 'efl', dataDir: FIXTURES_DIR, model, ...TINY_TRAIN, predictTest: false, unlabeled: 5 });
    await assert.rejects(runExperiment(efl, { progress: false }), (e: Error) => e instanceof ConfigError && /pet, ptuning, finetune/.test(e.message));
  } finally {
    rmSync(model, { recursive: true, force: true });
  }
});
