import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { CharTokenizer } from './char-tokenizer.js';
import {
  charVocab,
  pruneVocab,
  readVocab,
  remapVocabState,
  vocabMapping,
  writeVocab,
  SPECIAL_TOKENS,
} from './vocab.js';

const BASE = [
  '[PAD]',
  '[unused1]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  '的',
  '了',
  '##的',
  'ip',
  '##hone',
  'a',
  '##a',
  '！',
];

test('char tokenizer: CJK and punctuation split, words by WordPiece, offsets kept', () => {
  const tok = new CharTokenizer(BASE);
  assert.deepEqual(tok.tokenize('的了 iPhone！xyz'), { ids: [6, 7, 9, 10, 13, 2], starts: [0, 1, 3, 5, 9, 10] });
  assert.equal(tok.special.mask, 5);
  assert.ok(tok.isSpecial(1) && tok.isSpecial(3) && !tok.isSpecial(6));
});

test('pruned vocabulary: specials first, used or kept tokens in base order', () => {
  const counts = Uint32Array.from(BASE, (t) => (({ 的: 5, ip: 1, '##hone': 1 }) as Record<string, number>)[t] ?? 0);
  assert.deepEqual(pruneVocab(BASE, counts), [...SPECIAL_TOKENS, '的', 'ip', '##hone']);
  assert.deepEqual(pruneVocab(BASE, counts, { minCount: 2, keep: (t) => t.length === 1 }), [
    ...SPECIAL_TOKENS,
    '的',
    '了',
    'a',
    '！',
  ]);
  assert.throws(() => pruneVocab(BASE, new Uint32Array(3)));
});

test('character vocabulary from counts', () => {
  assert.deepEqual(
    charVocab(
      new Map([
        ['了', 3],
        ['的', 9],
        ['鬱', 1],
        [' ', 99],
      ]),
      2,
    ),
    [...SPECIAL_TOKENS, '的', '了'],
  );
});

test('vocab.txt round trip and row remapping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vocab-'));
  try {
    writeVocab(join(dir, 'vocab.txt'), BASE);
    assert.deepEqual(readVocab(join(dir, 'vocab.txt')), BASE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const mapping = vocabMapping(['a', 'b', 'c'], ['c', 'x', 'a']);
  assert.deepEqual([...mapping], [2, -1, 0]);
  const state = new Map([
    [
      'embeddings.word_embeddings.weight',
      { dtype: 'float32' as const, shape: [3, 2], data: Float32Array.of(1, 1, 2, 2, 3, 3) },
    ],
    ['cls.predictions.bias', { dtype: 'float32' as const, shape: [3], data: Float32Array.of(10, 20, 30) }],
  ]);
  const out = remapVocabState(state, mapping, 0.02, 1);
  const emb = out.get('embeddings.word_embeddings.weight')!;
  assert.deepEqual(emb.shape, [3, 2]);
  assert.deepEqual(
    [...emb.data].filter((_, i) => i < 2 || i >= 4),
    [3, 3, 1, 1],
  );
  assert.ok(Math.abs(Number(emb.data[2])) < 0.2 && emb.data[2] !== 0);
  assert.deepEqual([...out.get('cls.predictions.bias')!.data], [30, 0, 10]);
});
