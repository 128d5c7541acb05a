import { test } from 'vitest';
import assert from 'node:assert/strict';
import { entityF1 } from './evaluate.js';

test('entity F1: exact span and type', () => {
  const gold = [
    [
      { start: 0, end: 2, type: 'name' },
      { start: 3, end: 5, type: 'game' },
    ],
  ];
  const predicted = [
    [
      { start: 0, end: 2, type: 'name' },
      { start: 3, end: 5, type: 'name' },
      { start: 6, end: 7, type: 'game' },
    ],
  ];
  const r = entityF1(gold, predicted);
  assert.deepEqual([r.correct, r.predicted, r.gold], [1, 3, 2]);
  assert.ok(Math.abs(r.f1 - 0.4) < 1e-12);
  assert.equal(entityF1([[]], [[]]).f1, 0);
});
