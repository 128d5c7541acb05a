import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { tf } from '../framework/backend/tf.js';
import { ShapeError, UnknownKindError, VerbalizerError } from '../framework/errors.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { ManualVerbalizer, verbalizerFromConfig, VERBALIZERS } from './index.js';

const tok = BertTokenizer.fromVocabFile(
  fileURLToPath(new URL('../models/vocab/bert-base-chinese/vocab.txt', import.meta.url)),
);
const id = (t: string): number => tok.convertTokensToIds([t])[0]!;
const close = (actual: ArrayLike<number>, expected: readonly number[]) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++)
    assert.ok(Math.abs(actual[i]! - expected[i]!) < 1e-5, `[${i}] ${actual[i]} vs ${expected[i]}`);
};
const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));

// Two masks; 正面 has two words, 负面 one. tokenIds = [好, 评, 满, 意, 差].
const labelWords = { 正面: ['好评', '满意'], 负面: ['差评'] };
// mask 0 over [好, 评, 满, 意, 差] and mask 1 likewise.
const logits = [
  [
    [1, 0, 2, 0, 3],
    [0, 4, 0, 5, 0],
  ],
];

test('tokenIds are unique label-word ids in first-appearance order', () => {
  const v = new ManualVerbalizer({ labelWords, numMasks: 2 }, tok);
  assert.deepEqual(v.labels, ['正面', '负面']);
  assert.deepEqual(v.tokenIds, ['好', '评', '满', '意', '差'].map(id));
});

test('aggregation vs hand calculation: sum over masks, mean/max/first over words', () => {
  // word scores: 好评 = 1 + 4 = 5, 满意 = 2 + 5 = 7, 差评 = 3 + 4 = 7
  const run = (aggregate: 'mean' | 'max' | 'first', normalize: 'none' | 'vocab' | 'label-words' = 'none') =>
    tf.tidy(() =>
      Array.from(
        new ManualVerbalizer({ labelWords, numMasks: 2, aggregate, normalize }, tok)
          .labelScores(tf.tensor3d(logits))
          .dataSync(),
      ),
    );
  close(run('mean'), [6, 7]);
  close(run('max'), [7, 7]);
  close(run('first'), [5, 7]);
  close(run('mean', 'vocab'), [6, 7]); // input already log-probabilities: scored as given
  // label-words: log-softmax per mask over the three words' tokens there (mask 0: 好 满 差; mask 1: 评 意 评).
  const l0 = lse([1, 2, 3]);
  const l1 = lse([4, 5, 4]);
  const [hp, my, cp] = [1 - l0 + 4 - l1, 2 - l0 + 5 - l1, 3 - l0 + 4 - l1];
  close(run('mean', 'label-words'), [(hp + my) / 2, cp]);
  close(run('max', 'label-words'), [Math.max(hp, my), cp]);
});

test('batch of 2 with one mask and single-token words', () => {
  const v = new ManualVerbalizer({ labelWords: { 正: '好', 负: ['差', '坏'] }, numMasks: 1 }, tok);
  const out = tf.tidy(() => Array.from(v.labelScores(tf.tensor3d([[[1, 2, 4]], [[0, -1, 3]]])).dataSync()));
  close(out, [1, 3, 0, 1]);
});

test('build-time errors name the label and the word, with expected vs actual counts', () => {
  assert.throws(
    () => new ManualVerbalizer({ labelWords: { 正面: ['好评'], 负面: ['差'] }, numMasks: 2 }, tok),
    (e: unknown) =>
      e instanceof VerbalizerError &&
      e.message === "label '负面': word '差' tokenizes to 1 tokens (差), expected 2 (the template's mask count)",
  );
  assert.throws(
    () => new ManualVerbalizer({ labelWords: { 正面: ['好'], 负面: ['“'] }, numMasks: 1 }, tok),
    (e: unknown) => e instanceof VerbalizerError && /label '负面': word '“' tokenizes to \[UNK\]/.test(e.message),
  );
  assert.throws(
    () => new ManualVerbalizer({ labelWords: { 正面: [], 负面: ['差'] }, numMasks: 1 }, tok),
    /label '正面' has no words/,
  );
  assert.throws(
    () => new ManualVerbalizer({ labelWords: { 正面: ['好'], 负面: ['好'] }, numMasks: 1 }, tok),
    /duplicate label word '好'/,
  );
  assert.throws(() => new ManualVerbalizer({ labelWords: { 正面: ['好'] }, numMasks: 1 }, tok), /at least 2 labels/);
  assert.throws(
    () => new ManualVerbalizer({ labelWords, numMasks: 2, aggregate: 'sum' as 'mean' }, tok),
    /aggregate must be one of mean, max, first/,
  );
  const v = new ManualVerbalizer({ labelWords, numMasks: 2 }, tok);
  assert.throws(() => v.labelScores(tf.zeros([1, 1, 5])), ShapeError);
});

test('config round-trip through the registry; unknown kinds list the valid ones', () => {
  assert.deepEqual(
    VERBALIZERS.map((v) => v.kind),
    ['manual', 'soft', 'efl'],
  );
  const v = new ManualVerbalizer(
    { labelWords: { 正面: '好评', 负面: ['差评', '不好'] }, numMasks: 2, aggregate: 'max', normalize: 'label-words' },
    tok,
  );
  const config = v.getConfig();
  assert.deepEqual(config, {
    type: 'manual',
    labelWords: { 正面: ['好评'], 负面: ['差评', '不好'] },
    numMasks: 2,
    aggregate: 'max',
    normalize: 'label-words',
  });
  assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
  assert.deepEqual(verbalizerFromConfig(config, tok).getConfig(), config);
  assert.throws(() => verbalizerFromConfig({ type: 'knowledgeable' }, tok), UnknownKindError);
});

test('labelScores does not leak tensors', () => {
  const v = new ManualVerbalizer({ labelWords, numMasks: 2, aggregate: 'max', normalize: 'label-words' }, tok);
  const input = tf.tensor3d(logits);
  const before = tf.memory().numTensors;
  for (const aggregate of ['mean', 'max', 'first'] as const) {
    new ManualVerbalizer({ labelWords, numMasks: 2, aggregate }, tok).labelScores(input).dispose();
  }
  v.labelScores(input).dispose();
  assert.equal(tf.memory().numTensors, before);
  input.dispose();
});
