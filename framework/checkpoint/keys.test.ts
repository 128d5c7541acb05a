import assert from 'node:assert/strict';
import { test } from 'vitest';
import { CheckpointError } from '../errors.js';
import { hostTensor } from './host-tensor.js';
import { bertForMaskedLMKey, canonicalKey, renameKeys } from './keys.js';

/** [as found in a real checkpoint, canonical]. Sources: bert-base-chinese, hfl/chinese-roberta-wwm-ext,
 *  nghuyong/ernie-1.0-base-zh, TF-converted Google BERT, FacebookAI/roberta-base, DataParallel saves. */
const TABLE: [string, string][] = [
  ['bert.embeddings.word_embeddings.weight', 'embeddings.word_embeddings.weight'],
  ['bert.embeddings.LayerNorm.gamma', 'embeddings.LayerNorm.weight'],
  ['bert.embeddings.LayerNorm.beta', 'embeddings.LayerNorm.bias'],
  ['bert.embeddings.position_ids', 'embeddings.position_ids'],
  ['bert.encoder.layer.11.attention.output.LayerNorm.gamma', 'encoder.layer.11.attention.output.LayerNorm.weight'],
  ['bert.encoder.layer.0.attention.self.query.weight', 'encoder.layer.0.attention.self.query.weight'],
  ['bert.pooler.dense.weight', 'pooler.dense.weight'],
  ['cls.predictions.bias', 'cls.predictions.bias'],
  ['cls.predictions.transform.dense.weight', 'cls.predictions.transform.dense.weight'],
  ['cls.predictions.transform.LayerNorm.gamma', 'cls.predictions.transform.LayerNorm.weight'],
  ['cls.predictions.transform.LayerNorm.beta', 'cls.predictions.transform.LayerNorm.bias'],
  ['cls.predictions.decoder.weight', 'cls.predictions.decoder.weight'],
  ['cls.predictions.decoder.bias', 'cls.predictions.decoder.bias'],
  ['cls.seq_relationship.weight', 'cls.seq_relationship.weight'],
  ['classifier.weight', 'classifier.weight'],
  ['classifier.bias', 'classifier.bias'],
  ['ernie.embeddings.task_type_embeddings.weight', 'embeddings.task_type_embeddings.weight'],
  ['ernie.encoder.layer.3.output.LayerNorm.bias', 'encoder.layer.3.output.LayerNorm.bias'],
  ['ernie.pooler.dense.bias', 'pooler.dense.bias'],
  ['roberta.embeddings.LayerNorm.weight', 'embeddings.LayerNorm.weight'],
  ['roberta.encoder.layer.0.intermediate.dense.weight', 'encoder.layer.0.intermediate.dense.weight'],
  ['lm_head.dense.weight', 'cls.predictions.transform.dense.weight'],
  ['lm_head.dense.bias', 'cls.predictions.transform.dense.bias'],
  ['lm_head.layer_norm.weight', 'cls.predictions.transform.LayerNorm.weight'],
  ['lm_head.layer_norm.bias', 'cls.predictions.transform.LayerNorm.bias'],
  ['lm_head.decoder.weight', 'cls.predictions.decoder.weight'],
  ['lm_head.decoder.bias', 'cls.predictions.decoder.bias'],
  ['lm_head.bias', 'cls.predictions.bias'],
  ['model.encoder.layer.0.output.dense.weight', 'encoder.layer.0.output.dense.weight'],
  ['module.bert.encoder.layer.0.output.dense.weight', 'encoder.layer.0.output.dense.weight'],
  ['model.bert.embeddings.layer_norm.gamma', 'embeddings.LayerNorm.weight'],
  ['embeddings.layernorm.weight', 'embeddings.LayerNorm.weight'],
  ['encoder.layer.0.attention.output.LayerNorm.weight', 'encoder.layer.0.attention.output.LayerNorm.weight'],
  ['encoder.layer.0.attention.self.gamma', 'encoder.layer.0.attention.self.gamma'], // not a LayerNorm: untouched
];

test('canonicalKey on real-world key spellings', () => {
  for (const [found, canonical] of TABLE) assert.equal(canonicalKey(found), canonical, found);
});

test('canonicalKey is idempotent', () => {
  for (const [, canonical] of TABLE) assert.equal(canonicalKey(canonical), canonical);
});

test('bertForMaskedLMKey prefixes the encoder only, and round-trips through canonicalKey', () => {
  assert.equal(bertForMaskedLMKey('embeddings.word_embeddings.weight'), 'bert.embeddings.word_embeddings.weight');
  assert.equal(bertForMaskedLMKey('pooler.dense.weight'), 'bert.pooler.dense.weight');
  assert.equal(
    bertForMaskedLMKey('cls.predictions.transform.LayerNorm.bias'),
    'cls.predictions.transform.LayerNorm.bias',
  );
  assert.equal(bertForMaskedLMKey('classifier.weight'), 'classifier.weight');
  for (const [, canonical] of TABLE) assert.equal(canonicalKey(bertForMaskedLMKey(canonical)), canonical);
});

test('renameKeys refuses two keys that collapse onto one name', () => {
  const t = hostTensor('float32', [1], new Float32Array(1));
  const sd = new Map([
    ['bert.pooler.dense.bias', t],
    ['pooler.dense.bias', t],
  ]);
  assert.throws(
    () => renameKeys(sd, canonicalKey, 'x.bin'),
    (e: unknown) =>
      e instanceof CheckpointError &&
      e.message === "x.bin: keys 'bert.pooler.dense.bias' and 'pooler.dense.bias' both map to 'pooler.dense.bias'",
  );
});
