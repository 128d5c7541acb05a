import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { tf } from '../../framework/backend/tf.js';
import { BertModel } from '../../framework/model/bert.js';
import { useBackend } from '../../framework/testing/backends.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { evaluate } from '../../framework/trainer/evaluate.js';
import { Trainer } from '../../framework/trainer/trainer.js';
import { TINY_RANDOM_CONFIG } from '../../framework/testing/tiny-bert.js';
import { SyntheticCueTask } from '../testing/synthetic-task.js';
import { FinetuneMethod } from './finetune/method.js';

const VOCAB = fileURLToPath(new URL('../../models/vocab/bert-base-chinese/vocab.txt', import.meta.url));

test('fine-tuning a tiny random BERT learns the lexical-cue task (≥ 95% held out), R-Drop included', async () => {
  await useBackend('wasm');
  const tokenizer = BertTokenizer.fromVocabFile(VOCAB);
  const task = new SyntheticCueTask({ train: 64, dev: 32, test_public: 64 });
  for (const rdropAlpha of [0, 1]) {
    const before = tf.memory().numTensors;
    const model = BertModel.create(TINY_RANDOM_CONFIG, { pooler: true, mlmHead: false }, 3);
    const method = new FinetuneMethod({ model, tokenizer, task, maxSeqLen: 32, lr: 3e-3, seed: 5, rdropAlpha });
    const result = await new Trainer(method, {
      epochs: 8,
      batchSize: 8,
      seed: 5,
      warmupRatio: 0.1,
      progress: false,
    }).fit(task.load('train'), task.load('dev'));
    const test = evaluate(method, task.load('test_public'), 32);
    assert.ok(
      test.accuracy >= 0.95,
      `rdrop ${rdropAlpha}: test accuracy ${test.accuracy} (best dev ${result.bestDev})`,
    );
    method.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  }
});

test(
  'multiple-choice fine-tuning (CHID, a row per candidate) scores eval batches in chunks of SCORE_ROWS ' +
    'exactly as one example at a time',
  async () => {
    const { getTask } = await import('../../datasets/index.js');
    const { SCORE_ROWS } = await import('./base.js');
    await useBackend('wasm');
    const tokenizer = BertTokenizer.fromVocabFile(VOCAB);
    const task = getTask('chid', {
      dataDir: fileURLToPath(new URL('../../datasets/fewclue/fixtures/', import.meta.url)),
    });
    const examples = [...task.load('train', { split: '0' }), ...task.load('test_public')].slice(0, 8);
    const model = BertModel.create(TINY_RANDOM_CONFIG, { pooler: true, mlmHead: false }, 3);
    const method = new FinetuneMethod({ model, tokenizer, task, maxSeqLen: 64, lr: 1e-3, seed: 5 });
    const batch = method.makeBatch(examples);
    assert.ok(
      batch.tensors[0]!.shape[0]! > SCORE_ROWS,
      `${batch.tensors[0]!.shape[0]} rows: the batch must need several passes`,
    );
    const together = method.scores(batch);
    method.disposeBatch(batch);
    const alone = examples.map((e) => {
      const b = method.makeBatch([e]);
      const s = method.scores(b)[0]!;
      method.disposeBatch(b);
      return s;
    });
    together.forEach((row, i) =>
      row.forEach((x, j) =>
        assert.ok(Math.abs(x - alone[i]![j]!) < 1e-5, `example ${i} candidate ${j}: ${x} vs ${alone[i]![j]}`),
      ),
    );
    method.dispose();
    model.dispose();
  },
);

test('splitForRowBudget keeps a micro-batch within the token budget and the examples per optimiser step', async () => {
  const { splitForRowBudget, TRAIN_TOKEN_BUDGET } = await import('./base.js');
  assert.deepEqual(splitForRowBudget(8, 1, 1, 128), { batchSize: 8, gradientAccumulation: 1 });
  // CHID: 56 rows → 2 × 28
  assert.deepEqual(splitForRowBudget(8, 1, 7, 128), { batchSize: 4, gradientAccumulation: 2 });
  assert.deepEqual(splitForRowBudget(8, 2, 7, 128), { batchSize: 4, gradientAccumulation: 4 });
  // EFL, one negative
  assert.deepEqual(splitForRowBudget(32, 1, 2, 128), { batchSize: 16, gradientAccumulation: 2 });
  // Never below one example.
  assert.deepEqual(splitForRowBudget(4, 1, 100, 128), { batchSize: 1, gradientAccumulation: 4 });
  for (const [b, rows] of [
    [8, 7],
    [16, 3],
    [32, 2],
  ] as const) {
    const s = splitForRowBudget(b, 1, rows, 128);
    assert.ok(s.batchSize * rows * 128 <= TRAIN_TOKEN_BUDGET && s.batchSize * s.gradientAccumulation >= b);
  }
});
