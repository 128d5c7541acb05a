import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ConfigError, TemplateSyntaxError } from '../framework/errors.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { PromptTemplate } from './prompt-template.js';

const VOCAB = fileURLToPath(new URL('../models/vocab/bert-base-chinese/vocab.txt', import.meta.url));
const tok = BertTokenizer.fromVocabFile(VOCAB);
const ids = (tokens: string): number[] => tok.convertTokensToIds(tokens.split(' '));
const tokens = (inputIds: readonly number[]): string => inputIds.map((i) => tok.idToToken(i)).join(' ');
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

test('PET template: Chinese, Latin and digits; ids, types, positions, masks', () => {
  const t = PromptTemplate.fromString("{'text': 'text_a'}这是一条{'mask': None, 'length': 2}评价，iPhone 15", {
    requireMask: true,
  });
  const c = t.compile({ text_a: '很好Hello 2024' }, tok, { maxSeqLen: 64 });
  assert.equal(tokens(c.inputIds), '[CLS] 很 好 hello 202 ##4 这 是 一 条 [MASK] [MASK] 评 价 ， iphone 15 [SEP]');
  assert.deepEqual(c.inputIds.slice(0, 3), [101, 2523, 1962]);
  assert.deepEqual(c.inputIds, ids(tokens(c.inputIds)));
  assert.deepEqual(c.tokenTypeIds, new Array(18).fill(0));
  assert.deepEqual(c.positionIds, range(18));
  assert.deepEqual(c.attentionMask, new Array(18).fill(1));
  assert.deepEqual(c.maskPositions, [10, 11]);
  assert.equal(t.numMasks, 2);
  assert.deepEqual(c.softPositions, []);
  assert.deepEqual(c.truncated, []);
});

test('P-Tuning: soft init from text, soft_id sharing, [UNK] placeholders, soft table', () => {
  const src =
    "{'soft': '请判断'}{'text': 'a'}{'soft_id': 1, 'length': 2, 'encoder': 'lstm', 'hidden_size': 64}" +
    "{'mask'}{'soft_id': 1}";
  const t = PromptTemplate.fromString(src, { tokenizer: tok });
  assert.equal(t.kind, 'soft');
  assert.deepEqual(t.softTable, { initTokenIds: [...ids('请 判 断'), -1, -1], encoder: 'lstm', hiddenSize: 64 });
  const c = t.compile({ a: '好的' }, tok, { maxSeqLen: 32 });
  assert.equal(tokens(c.inputIds), '[CLS] [UNK] [UNK] [UNK] 好 的 [UNK] [UNK] [MASK] [UNK] [UNK] [SEP]');
  assert.deepEqual(c.softPositions, [1, 2, 3, 6, 7, 9, 10]);
  assert.deepEqual(c.softIds, [0, 1, 2, 3, 4, 3, 4]);
  assert.deepEqual(c.maskPositions, [8]);
  assert.deepEqual(c.positionIds, range(12));
  // Init text in Latin counts WordPiece tokens, not characters.
  const latin = PromptTemplate.fromString("{'soft': 'tokenizer'}{'mask'}{'text': 'a'}", { tokenizer: tok });
  assert.deepEqual(latin.softTable.initTokenIds, ids('to ##ken ##ize ##r'));
  assert.deepEqual(latin.compile({ a: '好' }, tok, { maxSeqLen: 16 }).softIds, [0, 1, 2, 3]);
});

test('EFL pair with sep and token_type 1: types switch at the marked block, final [SEP] keeps the last type', () => {
  const t = PromptTemplate.fromString("{'text': 'text_a'}{'sep'}{'text': 'text_b', 'token_type': 1}");
  const c = t.compile({ text_a: '今天很热', text_b: '这是天气' }, tok, { maxSeqLen: 64 });
  assert.equal(tokens(c.inputIds), '[CLS] 今 天 很 热 [SEP] 这 是 天 气 [SEP]');
  assert.deepEqual(c.tokenTypeIds, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual(c.maskPositions, []);
  // A plain {'sep'} does not switch types (PaddleNLP); {'sep': None, 'token_type': 1} does, from the [SEP] on.
  const s = PromptTemplate.fromString("{'text': 'a'}{'sep': None, 'token_type': 1}{'text': 'b'}{'mask'}").compile(
    { a: '甲', b: '乙' },
    tok,
    { maxSeqLen: 16 },
  );
  assert.deepEqual(s.tokenTypeIds, [0, 0, 1, 1, 1, 1]);
});

test('position attribute restarts position ids; options with a literal list render their text', () => {
  const t = PromptTemplate.fromString("{'options': ['正面', '负面']}{'sep'}{'text': 'a', 'position': 1}{'mask'}");
  const c = t.compile({ a: '好看' }, tok, { maxSeqLen: 64 });
  assert.equal(tokens(c.inputIds), '[CLS] 正 面 负 面 [SEP] 好 看 [MASK] [SEP]');
  assert.deepEqual(c.positionIds, [0, 1, 2, 3, 4, 5, 1, 2, 3, 4]);
  const field = PromptTemplate.fromString(
    "{'text': 'a'}{'options': 'choices', 'add_prompt': '是[OPT]吗'}{'mask'}",
  ).compile({ a: '猫', choices: ['狗', '鸟'] }, tok, { maxSeqLen: 64 });
  assert.equal(tokens(field.inputIds), '[CLS] 猫 是 狗 吗 是 鸟 吗 [MASK] [SEP]');
  assert.throws(
    () =>
      PromptTemplate.fromString("{'options': ['是'], 'add_omask': True}{'text': 'a'}").compile({ a: '好' }, tok, {
        maxSeqLen: 9,
      }),
    (e: unknown) => e instanceof TemplateSyntaxError && /\[O-MASK\]/.test(e.message),
  );
});

test('truncation: longest first, only truncate text, never masks/soft/prompt; reports what was cut', () => {
  const t = PromptTemplate.fromString("{'soft'}{'text': 'a'}和{'text': 'b'}说的是{'mask'}{'mask'}的事情", {
    tokenizer: tok,
  });
  const a = '一二三四五六七八九十'; // 10 tokens
  const b = '甲乙丙丁'; // 4 tokens
  const full = t.compile({ a, b }, tok, { maxSeqLen: 128 });
  assert.equal(full.inputIds.length, 2 + 1 + 10 + 1 + 4 + 3 + 2 + 3);
  // Remove 8: a is cut to 4 (=b) after 6, then one each from a and b (a first on ties).
  const c = t.compile({ a, b }, tok, { maxSeqLen: full.inputIds.length - 8 });
  assert.equal(tokens(c.inputIds), '[CLS] [UNK] 一 二 三 和 甲 乙 丙 说 的 是 [MASK] [MASK] 的 事 情 [SEP]');
  assert.deepEqual(c.truncated, [
    { field: 'a', block: 1, removedTokens: 7 },
    { field: 'b', block: 3, removedTokens: 1 },
  ]);
  assert.deepEqual(c.maskPositions, [12, 13]);
  assert.deepEqual(c.softPositions, [1]);
  assert.equal(c.inputIds.length, full.inputIds.length - 8);
  // Cut everything truncatable: still fits exactly.
  const min = t.compile({ a, b }, tok, { maxSeqLen: 12 });
  assert.equal(tokens(min.inputIds), '[CLS] [UNK] 和 说 的 是 [MASK] [MASK] 的 事 情 [SEP]');
  assert.deepEqual(
    min.truncated.map((x) => x.removedTokens),
    [10, 4],
  );
});

test(`truncate: False text and hard text are kept; too long even fully truncated → error naming template and \
lengths`, () => {
  const t = PromptTemplate.fromString("{'text': 'a', 'truncate': False}{'text': 'b'}这句话{'mask'}");
  const c = t.compile({ a: '一二三', b: '甲乙丙丁' }, tok, { maxSeqLen: 9 });
  assert.equal(tokens(c.inputIds), '[CLS] 一 二 三 这 句 话 [MASK] [SEP]');
  assert.deepEqual(c.truncated, [{ field: 'b', block: 1, removedTokens: 4 }]);
  assert.throws(
    () => t.compile({ a: '一二三', b: '甲乙丙丁' }, tok, { maxSeqLen: 8 }),
    (e: unknown) => {
      assert.ok(e instanceof TemplateSyntaxError);
      assert.match(e.message, /does not fit maxSeqLen 8: it needs 13 tokens/);
      assert.match(e.message, /9 remain/);
      assert.ok(e.message.includes(t.source));
      return true;
    },
  );
  assert.throws(() => t.compile({ a: 'x', b: 'y' }, tok, { maxSeqLen: 1 }), ConfigError);
  assert.throws(() => t.compile({ a: 'x', b: 'y' }, tok), /needs maxSeqLen/);
});

test('collate pads to the longest: pad id for inputs, 0 elsewhere; per-example mask/soft positions', () => {
  const t = PromptTemplate.fromString("{'soft'}{'text': 'a'}{'mask'}", { maxSeqLen: 32 });
  const a = t.compile({ a: '很好看' }, tok);
  const b = t.compile({ a: '好' }, tok);
  const batch = t.collate([a, b], tok.padId);
  assert.deepEqual(batch.inputIds[1], [...b.inputIds, tok.padId, tok.padId]);
  assert.deepEqual(batch.attentionMask, [
    [1, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 0, 0],
  ]);
  assert.deepEqual(batch.positionIds[1], [0, 1, 2, 3, 4, 0, 0]);
  assert.deepEqual(batch.tokenTypeIds[1], [0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(batch.maskPositions, [[5], [3]]);
  assert.deepEqual(batch.softPositions, [[1], [1]]);
  assert.deepEqual(batch.softIds, [[0], [0]]);
});
