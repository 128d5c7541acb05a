import { test } from 'vitest';
import assert from 'node:assert/strict';
import { decide, marginOf } from './decision.js';
import { balancedBias, classScores, predictAt, SCORES_HEADER, scoresRow } from './evaluate.js';

test('per-class recall, precision, gap and the confusion matrix', () => {
  // 4 negatives (3 right), 6 positives (3 right): a model that leans negative.
  const gold = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1] as const;
  const predicted = [0, 0, 0, 1, 0, 0, 0, 1, 1, 1] as const;
  const s = classScores(gold, predicted);
  assert.equal(s.total, 10);
  assert.equal(s.accuracy, 0.6);
  assert.deepEqual(s.recall, [0.75, 0.5]);
  assert.deepEqual(s.precision, [0.5, 0.75]);
  assert.equal(s.recallGap, 25);
  assert.equal(s.balancedAccuracy, 0.625);
  assert.deepEqual(s.confusion, [
    [3, 1],
    [3, 3],
  ]);
  assert.equal(s.goldPositive, 0.6);
  assert.equal(s.predictedPositive, 0.4);
  // A class never predicted has no precision; a class absent has no recall.
  const none = classScores([0, 1], [0, 0]);
  assert.ok(Number.isNaN(none.precision[1]));
  assert.ok(Number.isNaN(classScores([1, 1], [1, 0]).recall[0]));
  assert.throws(() => classScores([0], [0, 1]), /1 gold labels but 2 predictions/);
  assert.equal(scoresRow('set', s), '| set | 10 | 60.00 | 75.00 | 50.00 | 25.00 | 3 / 1 | 3 / 3 |');
  assert.equal(SCORES_HEADER.split('\n')[0]!.split('|').length, scoresRow('set', s).split('|').length);
});

test('balanced bias: equal recalls, halfway between margins, then balanced accuracy, then the smaller |bias|', () => {
  assert.equal(balancedBias([-2, -1, 0.5, 1, 2, 3], [0, 0, 0, 1, 1, 1]), -0.75);
  // A model that leans negative: every positive margin is low; the bias moves the threshold down to between them.
  const margins = [-3, -2.5, -2, -1.5, -1.2, -0.8, -0.4, 0.3];
  const gold = [0, 0, 0, 0, 1, 1, 1, 1] as const;
  const bias = balancedBias(margins, gold);
  assert.equal(bias, 1.35);
  assert.deepEqual(classScores(gold, predictAt(margins, bias)).recall, [1, 1]);
  assert.deepEqual(classScores(gold, predictAt(margins, 0)).recall, [1, 0.25]);
  // Inseparable classes: the recalls as close as they can be.
  const mixed = balancedBias([-1, 1, -1, 1], [0, 0, 1, 1]);
  const s = classScores([0, 0, 1, 1], predictAt([-1, 1, -1, 1], mixed));
  assert.equal(s.recallGap, 0);
  assert.equal(mixed, 0, 'the smallest bias among equally good ones');
  // Equal margins cannot be split; one class alone needs no bias.
  assert.equal(classScores([0, 1], predictAt([0, 0], balancedBias([0, 0], [0, 1]))).recallGap, 100);
  assert.equal(balancedBias([1, 2], [1, 1]), 0);
});

test('the decision: margin + bias above 0 is positive; the score is the shifted softmax', () => {
  assert.ok(Math.abs(marginOf(0.75, 0.25) - Math.log(3)) < 1e-12);
  const plain = decide(Math.log(3), 0);
  assert.equal(plain.label, 1);
  assert.ok(Math.abs(plain.score - 0.75) < 1e-12);
  const d = decide(marginOf(0.45, 0.55), 0.3);
  assert.equal(d.label, 1);
  assert.ok(Math.abs(d.score - 0.5248) < 1e-4);
  assert.deepEqual(decide(0, 0), { label: 0, score: 0.5 });
  assert.deepEqual(decide(-Infinity, 5), { label: 0, score: 1 });
});
