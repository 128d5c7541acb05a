import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DataError } from '../../../framework/errors.js';
import { CharVocab } from './char-vocab.js';
import { ConfusionSet, isHanzi } from './confusion.js';

test('pinyin lines are symmetric, stroke groups pairwise, observed pairs one-way', () => {
  const c = new ConfusionSet()
    .addPinyin('#汉字\t同音同调\t同音异调\n境\t竟静\t景\n')
    .addStroke('拙\t茁\t绌\n')
    .addPairs([['他', '她']]);
  assert.deepEqual([...c.candidates('境')].sort(), ['景', '竟', '静'].sort());
  assert.deepEqual([...c.candidates('竟')], ['境']);
  assert.deepEqual([...c.candidates('拙')].sort(), ['绌', '茁'].sort());
  assert.deepEqual([...c.candidates('茁')].sort(), ['拙', '绌'].sort());
  assert.deepEqual([...c.candidates('他')], ['她']);
  assert.equal(c.candidates('她').size, 0);
  assert.equal(c.maxCandidates, 3);
});

test('serialize → parse round trip', () => {
  const c = new ConfusionSet().addPinyin('境\t竟静\t景\n').addStroke('拙 茁\n');
  const back = ConfusionSet.parse(c.serialize());
  assert.equal(back.serialize(), c.serialize());
  assert.equal(back.size, c.size);
});

test('bad lines name the line', () => {
  assert.throws(
    () => ConfusionSet.parse('境\t竟\nabc\n', 'c.txt'),
    (e: Error) => e instanceof DataError && /c.txt:2: expected 'char<TAB>candidates'/.test(e.message),
  );
  assert.throws(() => new ConfusionSet().addPinyin('x\ty\n', 'p.txt'), /p.txt:1/);
});

test('hanzi test and character ids', () => {
  assert.ok(isHanzi('境') && !isHanzi('，') && !isHanzi('a') && !isHanzi('境界'));
  const v = new CharVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '我', 'a']);
  assert.deepEqual(Array.from(v.encode('我A你').ids), [5, 6, 1]);
  assert.throws(() => new CharVocab(['[PAD]']), /no \[UNK\] token/);
});
