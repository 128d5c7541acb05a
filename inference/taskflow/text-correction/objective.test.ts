import { test } from 'vitest';
import assert from 'node:assert/strict';
import { initBackend } from '../../../framework/backend/select.js';
import { tf } from '../../../framework/backend/tf.js';
import { readVocab } from '../../../framework/pretrain/vocab.js';
import { createTinyModel, TINY_DECISIVE_CONFIG, VOCAB_FILE } from '../../../framework/testing/tiny-bert.js';
import { Trainer } from '../../../framework/trainer/trainer.js';
import { encodePairs } from './batches.js';
import { CharVocab } from './char-vocab.js';
import { CscModel } from './model.js';
import { type CscBucket, CscObjective } from './objective.js';
import { charTokens } from './train-data.js';

const PAIRS = [
  { id: 'a', source: '我们去公圆散步', target: '我们去公园散步' },
  { id: 'b', source: '今天天气很好', target: '今天天气很好' },
  { id: 'c', source: '他在学校学习', target: '他再学校学习' },
];

function setup(): { objective: CscObjective; buckets: CscBucket[] } {
  const tokens = charTokens(readVocab(VOCAB_FILE));
  const vocab = new CharVocab(tokens);
  const config = { ...TINY_DECISIVE_CONFIG, vocabSize: tokens.length };
  const model = CscModel.wrap(createTinyModel(3, config, { pooler: false }));
  const objective = new CscObjective(model, vocab, { lr: 1e-3, keepRate: 0.5 });
  const encoded = encodePairs(PAIRS, vocab, 30);
  return { objective, buckets: [{ rows: encoded.slice(0, 2) }, { rows: encoded.slice(2) }] };
}

test('the copy sample follows the step seed; paramGroups hold every variable once; nothing leaks', async () => {
  await initBackend();
  const before = tf.memory().numTensors;
  const { objective, buckets } = setup();
  const batch = objective.makeBatch([buckets[0]!]);
  const loss = (seed: number) => tf.tidy(() => objective.loss(batch, seed).dataSync()[0]!);
  assert.equal(loss(7), loss(7));
  assert.notEqual(loss(7), loss(8));
  const parts = objective.takeLossParts()!;
  assert.ok(parts.detection > 0 && parts.correction > 0, JSON.stringify(parts));
  assert.equal(objective.takeLossParts(), undefined);
  const grouped = objective.paramGroups().flatMap((g) => g.params);
  assert.equal(new Set(grouped).size, grouped.length);
  assert.equal(grouped.length, objective.model.variables().length);
  const fit = await new Trainer(objective, { maxSteps: 3, batchSize: 1, seed: 1, progress: false }).fit(buckets, []);
  assert.equal(fit.steps, 3);
  objective.dispose();
  objective.model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('restore(snapshot()) brings back the weights of both heads and the encoder', async () => {
  const { objective, buckets } = setup();
  const saved = objective.snapshot();
  await new Trainer(objective, { maxSteps: 2, batchSize: 1, seed: 3, progress: false }).fit(buckets, []);
  const trained = objective.snapshot();
  assert.notDeepEqual(trained.get('csc.detect.bias'), saved.get('csc.detect.bias'));
  objective.restore(saved);
  for (const [name, t] of objective.snapshot()) assert.deepEqual(t, saved.get(name), name);
  const headless = new Map([...trained].filter(([k]) => k !== 'csc.detect.bias'));
  assert.throws(
    () => objective.restore(headless),
    /the detection head \(csc.detect.weight, csc.detect.bias\) is missing/,
  );
  for (const [name, t] of objective.snapshot())
    assert.deepEqual(t, saved.get(name), `${name} untouched by a failed restore`);
  objective.dispose();
  objective.model.dispose();
});
