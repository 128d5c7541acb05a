import assert from 'node:assert/strict';
import { test } from 'vitest';
import { confusionMatrix, renderRunReport } from './run-report.js';

test('confusion matrix counts and an HTML report with curve and matrix', () => {
  assert.deepEqual(confusionMatrix(2, [0, 0, 1, 1, -1], [0, 1, 1, 1, 0]), [
    [1, 1],
    [0, 2],
  ]);
  const html = renderRunReport({
    title: 'eprstmt/pet/0',
    labels: ['Negative', 'Positive'],
    gold: [0, 1],
    predicted: [0, 0],
    history: [
      { step: 1, loss: 0.7 },
      { step: 2, loss: 0.5 },
      { step: 2, dev: 0.75 },
    ],
    metrics: { test_public: 0.5 },
  });
  assert.match(html, /<svg[^>]*>[\s\S]*<path d="M[\d.]+,[\d.]+L/);
  assert.match(html, /<th>Negative<\/th><td[^>]*>1<\/td><td[^>]*>0<\/td>/);
  assert.match(html, /<th>Positive<\/th><td[^>]*>1<\/td><td[^>]*>0<\/td>/);
});
