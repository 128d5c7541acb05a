import { test } from 'vitest';
import assert from 'node:assert/strict';
import { sentenceMetrics } from './metrics.js';

const GOLD = [
  { id: '1', source: '朋唷去', target: '朋友去' }, // one error
  { id: '2', source: '逆竟时竟', target: '逆境时境' }, // two errors
  { id: '3', source: '你好', target: '你好' }, // clean
  { id: '4', source: '拙壮', target: '茁壮' },
];

test('sentence-level detection and correction, by hand', () => {
  const m = sentenceMetrics(GOLD, [
    '朋友去', // detection ✓ correction ✓
    '逆境时竟', // one of two positions: ✗ ✗
    '你们', // false positive on a clean sentence
    '着壮', // right position, wrong character: detection ✓ correction ✗
  ]);
  assert.equal(m.goldPositive, 3);
  assert.equal(m.predictedPositive, 4);
  assert.deepEqual([m.detection.tp, m.correction.tp], [2, 1]);
  assert.equal(m.detection.precision, 2 / 4);
  assert.equal(m.detection.recall, 2 / 3);
  assert.ok(Math.abs(m.detection.f1 - (2 * 0.5 * (2 / 3)) / (0.5 + 2 / 3)) < 1e-12);
  assert.equal(m.correction.precision, 1 / 4);
  assert.equal(m.falsePositiveRate, 1);
});

test('no predictions: zero precision and recall, not NaN', () => {
  const m = sentenceMetrics(
    GOLD,
    GOLD.map((g) => g.source),
  );
  assert.deepEqual([m.detection.f1, m.correction.f1, m.predictedPositive], [0, 0, 0]);
  const perfect = sentenceMetrics(
    GOLD,
    GOLD.map((g) => g.target),
  );
  assert.deepEqual([perfect.detection.f1, perfect.correction.f1, perfect.falsePositiveRate], [1, 1, 0]);
});
