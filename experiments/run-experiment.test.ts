import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleTestExamples } from './run-experiment.js';

test('sampleTestExamples: a fixed-seed sample in file order, not a prefix of a label-grouped file', () => {
  // 15 labels × 40 examples, grouped by label as FewCLUE's TNEWS test_public is.
  const grouped = Array.from({ length: 600 }, (_, i) => ({ id: i, label: Math.floor(i / 40) }));
  const sample = sampleTestExamples(grouped, 150);
  assert.equal(sample.length, 150);
  assert.deepEqual(sample, sampleTestExamples(grouped, 150), 'the same subset every call');
  assert.ok(sample.every((e, i) => i === 0 || e.id > sample[i - 1]!.id), 'file order kept');
  const labels = new Set(sample.map((e) => e.label));
  assert.equal(labels.size, 15, `a prefix of 150 would hold 4 labels; the sample holds ${labels.size}`);
  assert.deepEqual(sampleTestExamples(grouped, undefined), grouped);
  assert.deepEqual(sampleTestExamples(grouped, 1000), grouped);
});
