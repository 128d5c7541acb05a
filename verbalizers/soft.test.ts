import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { tf } from '../framework/backend/tf.js';
import { readSafetensors } from '../framework/checkpoint/safetensors.js';
import { CheckpointError, VerbalizerError } from '../framework/errors.js';
import { BertModel } from '../framework/model/bert.js';
import { readBertConfig } from '../framework/model/config.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { verbalizerFromConfig } from './index.js';
import { SoftVerbalizer } from './soft.js';

const DIR = fileURLToPath(new URL('../framework/model/fixtures/tiny-bert/', import.meta.url));
const config = readBertConfig(DIR);
const weights = new Map([...readSafetensors(`${DIR}model.safetensors`)].map(([k, v]) => [k.replace(/^bert\./, ''), v]));
const tok = BertTokenizer.fromVocabFile(`${DIR}vocab.txt`);
const labelWords = { 正: ['一丁', '七'], 负: ['丈'] };

test("init: decoder columns are the token-mean embedding of each label's first word; bias 0", () => {
  const model = BertModel.fromStateDict(config, weights);
  const v = new SoftVerbalizer({ labelWords }, tok, model);
  const w = v.getWeights();
  assert.deepEqual(w.get('decoder.weight')!.shape, [32, 2]);
  assert.deepEqual(Array.from(w.get('decoder.bias')!.data), [0, 0]);
  const emb = model.params.get('embeddings.word_embeddings.weight').arraySync() as number[][];
  const [a, b, c] = tok.convertTokensToIds(['一', '丁', '丈']).map((i) => emb[i]!);
  const d = w.get('decoder.weight')!.data;
  for (let h = 0; h < 32; h++) {
    assert.ok(Math.abs(d[h * 2]! - (a![h]! + b![h]!) / 2) < 1e-6);
    assert.ok(Math.abs(d[h * 2 + 1]! - c![h]!) < 1e-6);
  }
  assert.equal(v.variables.length, 6);
  assert.ok(v.variables.every((x) => x.trainable));
  assert.deepEqual(v.tokenIds, []);
  assert.throws(() => v.labelScores(tf.zeros([1, 1, 1])), VerbalizerError);
  v.dispose();
  model.dispose();
});

test('config round-trip, weights via getWeights/setWeights, several masks averaged, no leaks', () => {
  const model = BertModel.fromStateDict(config, weights);
  const before = tf.memory().numTensors;
  const v = new SoftVerbalizer({ labelWords }, tok, model);
  const c = v.getConfig();
  assert.deepEqual(c, {
    type: 'soft',
    labelWords: { 正: ['一丁', '七'], 负: ['丈'] },
    hiddenSize: 32,
    hiddenAct: 'gelu',
    layerNormEps: 1e-12,
  });
  assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
  const restored = verbalizerFromConfig(c, tok);
  assert.ok(restored instanceof SoftVerbalizer);
  assert.deepEqual(restored.getConfig(), c);
  restored.setWeights(v.getWeights());
  const x = tf.randomNormal([3, 2, 32], 0, 1, 'float32', 7);
  const [a, b, m0, m1] = tf.tidy(() => [
    v.labelScoresFromHidden(x).dataSync(),
    restored.labelScoresFromHidden(x).dataSync(),
    v.labelScoresFromHidden(tf.slice(x, [0, 0, 0], [-1, 1, -1])).dataSync(),
    v.labelScoresFromHidden(tf.slice(x, [0, 1, 0], [-1, 1, -1])).dataSync(),
  ]);
  assert.deepEqual(Array.from(a), Array.from(b));
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - (m0[i]! + m1[i]!) / 2) < 1e-5);
  assert.throws(() => restored.setWeights(new Map()), CheckpointError);
  x.dispose();
  v.dispose();
  restored.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new SoftVerbalizer({ labelWords }, tok), /needs the model/);
  model.dispose();
});

test('gradients reach the head variables', () => {
  const model = BertModel.fromStateDict(config, weights);
  const v = new SoftVerbalizer({ labelWords }, tok, model);
  const x = tf.randomNormal([2, 1, 32], 0, 1, 'float32', 3);
  const { grads, value } = tf.variableGrads(() => tf.sum(v.labelScoresFromHidden(x)) as tf.Scalar, v.variables);
  assert.equal(Object.keys(grads).length, 6);
  tf.dispose([value, ...Object.values(grads), x]);
  v.dispose();
  model.dispose();
});
