import { test } from 'vitest';
import assert from 'node:assert/strict';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { ParseFeaturizer } from './features.js';
import { harmonizeRelation, simplifyTraining } from './gsd.js';
import { trimEmbeddings, trimmedTokenizer, trimVocab } from './vocab-trim.js';

const FULL = BertTokenizer.fromVocab([
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  '百',
  '度',
  '是',
  '一',
  '家',
  '公',
  '司',
  '猫',
]);

test('trimming keeps specials, required tokens, then the most frequent corpus tokens, in the original order', () => {
  const v = trimVocab(FULL, { required: ['百度'], corpus: ['是是是一', '公司是', '猫'] }, 8);
  assert.deepEqual(v.tokens, ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '百', '度', '是']);
  assert.deepEqual(v.sourceIds, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(v.coverage, 4 / 8); // 是 ×4 kept; 一, 公, 司, 猫 not
  const small = trimmedTokenizer(FULL, v);
  assert.deepEqual(small.encode('百度是猫').inputIds, [2, 5, 6, 7, 1, 3]);
  const emb = trimEmbeddings(
    { dtype: 'float32', shape: [13, 2], data: Float32Array.from({ length: 26 }, (_, i) => i) },
    v,
  );
  assert.deepEqual(emb.shape, [8, 2]);
  assert.deepEqual([...emb.data.slice(14)], [14, 15]);
  assert.throws(() => trimVocab(FULL, { required: [], corpus: [] }, 3), /below the 5 special tokens/);
});

test('featurizer: first piece per word, [CLS] for the root, flat word_index', () => {
  const f = new ParseFeaturizer(FULL, 8);
  const row = f.row(['百度', '是', '公司']);
  assert.deepEqual(row.ids, [2, 5, 6, 7, 10, 11, 3]);
  assert.deepEqual(row.starts, [0, 1, 3, 4]);
  const batch = f.batch([f.row(['是']), row]);
  assert.deepEqual(batch.feeds.word_index.dims, [2, 4]);
  assert.deepEqual([...batch.feeds.word_index.data], [0, 1, 0, 0, 7, 8, 10, 11]);
  assert.deepEqual([...batch.feeds.attention_mask.data.slice(0, 7)], [1, 1, 1, 0, 0, 0, 0]);
  assert.equal(f.tryRow(['百度', '是', '一家', '公司']), undefined);
  assert.throws(() => f.row(['百度', '是', '一家', '公司']), /needs more than 8 tokens/);
  assert.deepEqual(f.pieces(' '), [FULL.unkId]);
});

test('GSD v2.0 training data: Simplified script per word, relations in GSDSimp names', () => {
  const [s] = simplifyTraining([
    {
      id: '1',
      words: [
        { form: '試', upos: 'VERB', head: 0, deprel: 'root' },
        { form: '著', upos: 'PART', head: 1, deprel: 'case:aspect' },
        { form: '意見', upos: 'NOUN', head: 1, deprel: 'dobj' },
        { form: '的', upos: 'PART', head: 1, deprel: 'acl:relcl' },
      ],
    },
  ]);
  assert.deepEqual(
    s!.words.map((w) => [w.form, w.deprel]),
    [
      ['试', 'root'],
      ['着', 'aux'],
      ['意见', 'obj'],
      ['的', 'mark:rel'],
    ],
  );
  assert.equal(harmonizeRelation({ form: '他', upos: 'PRON', head: 2, deprel: 'nsubj' }), 'nsubj');
  assert.equal(harmonizeRelation({ form: '們', upos: 'PART', head: 1, deprel: 'case:suff' }), 'case');
});
