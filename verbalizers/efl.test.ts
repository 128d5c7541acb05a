import assert from 'node:assert/strict';
import { test } from 'vitest';
import { tf } from '../framework/backend/tf.js';
import { VerbalizerError } from '../framework/errors.js';
import { EflDescriptions } from './efl.js';

const descriptions = { 正面: '这是一条好评', 负面: '这是一条差评' };

test('pairs: one per label, description under the field, gold pair entails', () => {
  const efl = new EflDescriptions({ descriptions });
  assert.deepEqual(efl.pairs({ sentence: '很好' }, '正面'), [
    { label: '正面', example: { sentence: '很好', candidate_label: '这是一条好评' }, entailment: 1 },
    { label: '负面', example: { sentence: '很好', candidate_label: '这是一条差评' }, entailment: 0 },
  ]);
  assert.deepEqual(
    efl.pairs({ s: 'x' }).map((p) => Object.hasOwn(p, 'entailment')),
    [false, false],
  );
  assert.throws(() => efl.pairs({ s: 'x' }, '中性'), /unknown label '中性'; valid: 正面, 负面/);
});

test('labelScores = log P(entail) per pair; no leaks', () => {
  const efl = new EflDescriptions({ descriptions });
  const x = tf.tensor3d([
    [
      [0, 0],
      [0, Math.log(3)],
    ],
  ]);
  const before = tf.memory().numTensors;
  const out = efl.labelScores(x);
  const got = Array.from(out.dataSync());
  out.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.ok(Math.abs(got[0]! - Math.log(0.5)) < 1e-6 && Math.abs(got[1]! - Math.log(0.75)) < 1e-6);
  assert.throws(() => efl.labelScores(x.reshape([1, 2, 2, 1])), /expects \[B, 2, 2\]/);
  x.dispose();
});

test('errors and config round-trip', () => {
  assert.throws(() => new EflDescriptions({ descriptions: { a: '句子' } }), VerbalizerError);
  assert.throws(() => new EflDescriptions({ descriptions: { a: '句子', b: '' } }), /label 'b' has no description/);
  assert.throws(() => new EflDescriptions({ descriptions: { a: '同', b: '同' } }), /same description/);
  const efl = new EflDescriptions({ descriptions, field: 'desc' });
  const c = efl.getConfig();
  assert.deepEqual(c, { type: 'efl', descriptions, field: 'desc' });
  assert.deepEqual(EflDescriptions.fromConfig(JSON.parse(JSON.stringify(c))).getConfig(), c);
});
