import assert from 'node:assert/strict';
import { test } from 'vitest';
import { CheckpointError } from '../errors.js';
import { hostTensor } from './host-tensor.js';
import { matchStateDict } from './match.js';

const t = (...shape: number[]) => hostTensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));
const expected = new Map<string, number[]>([
  ['embeddings.word_embeddings.weight', [10, 4]],
  ['pooler.dense.bias', [4]],
  ['cls.predictions.bias', [10]],
  ['cls.predictions.decoder.weight', [10, 4]],
]);

test('a matching state dict passes and reports what was tolerated', () => {
  const actual = new Map([
    ['embeddings.word_embeddings.weight', t(10, 4)],
    ['pooler.dense.bias', t(4)],
    ['cls.predictions.bias', t(10)],
    ['cls.seq_relationship.weight', t(2, 4)],
  ]);
  const report = matchStateDict(expected, actual, {
    allowMissing: ['cls.predictions.decoder.weight'],
    ignoreUnexpected: [/^cls\.seq_relationship\./],
  });
  assert.deepEqual(report, {
    missingAllowed: ['cls.predictions.decoder.weight'],
    ignored: ['cls.seq_relationship.weight'],
  });
});

test('one error lists every missing, unexpected and mis-shaped key', () => {
  const actual = new Map([
    ['embeddings.word_embeddings.weight', t(4, 10)],
    ['pooler.dense.bias', t(1, 4)],
    ['extra.a', t(1)],
    ['extra.b', t(1)],
  ]);
  assert.throws(
    () => matchStateDict(expected, actual),
    (e: unknown) => {
      assert.ok(e instanceof CheckpointError);
      assert.equal(
        e.message,
        [
          'state dict does not match the model: 2 missing:',
          '  cls.predictions.bias',
          '  cls.predictions.decoder.weight',
          '2 unexpected:',
          '  extra.a',
          '  extra.b',
          '2 mis-shaped:',
          '  embeddings.word_embeddings.weight: expected [10, 4], got [4, 10]',
          '  pooler.dense.bias: expected [4], got [1, 4]',
        ].join('\n'),
      );
      return true;
    },
  );
});
