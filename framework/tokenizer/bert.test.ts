import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenizerError } from '../errors.js';
import { BertTokenizer } from './index.js';
import { readFixture } from './fixtures/parity.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const vocabDir = join(root, 'models/vocab/bert-base-chinese');
const tok = BertTokenizer.fromVocabFile(join(vocabDir, 'vocab.txt'));
const TINY = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '好', '天', '气', 'un', '##aff', '##able', '!'];

test('parity with the Rust tokenizers on the FewCLUE fixture: ids, type ids, offsets, decode', () => {
  const fixture = readFixture(join(root, 'framework/tokenizer/fixtures/parity.json.gz'));
  assert.ok(fixture.cases.length >= 1000, `fixture has ${fixture.cases.length} cases`);
  let checked = 0;
  for (const [i, c] of fixture.cases.entries()) {
    const options = { ...c, pair: c.pair };
    const where = `case ${i} ${JSON.stringify(c.text.slice(0, 40))}`;
    if ('error' in c.expected) {
      assert.throws(() => tok.encode(c.text, options), TokenizerError, where);
      continue;
    }
    const e = tok.encode(c.text, options);
    assert.deepEqual(e.inputIds, c.expected.ids, where);
    assert.equal(e.tokenTypeIds.join(''), c.expected.typeIds, where);
    assert.deepEqual(e.offsets.flat(), c.expected.offsets, where);
    if (c.expected.decoded !== undefined)
      assert.equal(tok.decode(e.inputIds, { skipSpecialTokens: true }), c.expected.decoded, where);
    if (c.expected.decodedAll !== undefined) assert.equal(tok.decode(e.inputIds), c.expected.decodedAll, where);
    checked++;
  }
  assert.ok(checked >= 1000);
});

test('encode: pairs, offsets into the source strings, special tokens written in the text', () => {
  const e = tok.encode('我爱ML', { pair: '好' });
  assert.deepEqual(e.tokens, ['[CLS]', '我', '爱', 'ml', '[SEP]', '好', '[SEP]']);
  assert.deepEqual(e.tokenTypeIds, [0, 0, 0, 0, 0, 1, 1]);
  assert.deepEqual(e.offsets, [
    [0, 0],
    [0, 1],
    [1, 2],
    [2, 4],
    [0, 0],
    [0, 1],
    [0, 0],
  ]);
  assert.equal(e.pairStart, 5);
  assert.equal(tok.encode('好').pairStart, -1);
  const text = '这很[MASK]😀 Café';
  const masked = tok.encode(text);
  assert.equal(masked.inputIds[3], tok.maskId);
  assert.deepEqual(
    masked.offsets.slice(1, -1).map(([s, t]) => text.slice(s, t)),
    ['这', '很', '[MASK]', '😀', 'Café'],
  );
  assert.deepEqual(tok.encode('好', { addSpecialTokens: false }).tokens, ['好']);
});

test('encode: truncation strategies and their errors', () => {
  const long = '一二三四五六七八九十';
  assert.deepEqual(tok.encode(long, { maxLength: 5 }).tokens, ['[CLS]', '一', '二', '三', '[SEP]']);
  assert.equal(tok.encode(long, { pair: '甲乙', maxLength: 8, truncation: 'longest_first' }).inputIds.length, 8);
  assert.deepEqual(tok.encode(long, { pair: '甲乙', maxLength: 8, truncation: 'only_first' }).tokens, [
    '[CLS]',
    '一',
    '二',
    '三',
    '[SEP]',
    '甲',
    '乙',
    '[SEP]',
  ]);
  assert.deepEqual(tok.encode('甲乙', { pair: long, maxLength: 8, truncation: 'only_second' }).tokens, [
    '[CLS]',
    '甲',
    '乙',
    '[SEP]',
    '一',
    '二',
    '三',
    '[SEP]',
  ]);
  assert.throws(() => tok.encode(long, { maxLength: 5, truncation: 'only_second' }), /needs a pair/);
  assert.throws(() => tok.encode('甲', { pair: long, maxLength: 4, truncation: 'only_first' }), /has only 1/);
  assert.throws(() => tok.encode(long, { maxLength: 1 }), /maxLength must be an integer >= 2/);
  assert.throws(() => tok.encode(long, { truncation: 'only_first' }), /needs maxLength/);
});

test('encodeBatch: strings and tuples, padding to longest or maxLength', () => {
  const batch = tok.encodeBatch(['好', '很好'], { padding: 'longest' });
  assert.deepEqual(
    batch.map((e) => e.attentionMask),
    [
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ],
  );
  assert.deepEqual(batch[0]?.tokens, ['[CLS]', '好', '[SEP]', '[PAD]']);
  assert.deepEqual(batch[0]?.offsets.at(-1), [0, 0]);
  const pairs = tok.encodeBatch(
    [
      ['天气', '好'],
      ['一', '二三'],
    ],
    { padding: 'max_length', maxLength: 8 },
  );
  assert.deepEqual(
    pairs.map((e) => e.inputIds.length),
    [8, 8],
  );
  assert.deepEqual(pairs[1]?.tokenTypeIds, [0, 0, 0, 1, 1, 1, 0, 0]);
  assert.deepEqual(
    pairs.map((e) => e.pairStart),
    [4, 3],
  );
  assert.throws(() => tok.encodeBatch(['好'], { padding: 'max_length' }), /needs maxLength/);
});

test('tokenize, id lookups and decode', () => {
  assert.deepEqual(tok.tokenize('Tokenizer很好用'), ['to', '##ken', '##ize', '##r', '很', '好', '用']);
  assert.deepEqual(tok.convertTokensToIds(['[CLS]', '好', 'no-such-token']), [101, 1962, 100]);
  assert.equal(tok.idToToken(103), '[MASK]');
  assert.equal(tok.tokenToId('好'), 1962);
  assert.equal(tok.tokenToId('no-such-token'), undefined);
  assert.deepEqual(
    [tok.vocabSize, tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId],
    [21128, 0, 100, 101, 102, 103],
  );
  assert.equal(tok.decode([101, 2769, 4263, 8701, 102], { skipSpecialTokens: true }), '我 爱 hello');
  assert.throws(() => tok.idToToken(21128), TokenizerError);
});

test('a tiny vocabulary: WordPiece pieces and unknown words', () => {
  const tiny = BertTokenizer.fromVocab(TINY);
  assert.deepEqual(tiny.encode('unaffable 好!').tokens, ['[CLS]', 'un', '##aff', '##able', '好', '!', '[SEP]']);
  assert.deepEqual(tiny.encode('unknown 天').tokens, ['[CLS]', '[UNK]', '天', '[SEP]']);
  assert.deepEqual(tiny.encode('unknown 天').offsets[1], [0, 7]);
});

test('save / fromPretrained round trip, tokenizer.json preferred, tokenizer_config.json options', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fewprompt-tok-'));
  try {
    const cased = BertTokenizer.fromVocab(TINY, { doLowerCase: false });
    await cased.save(dir);
    const config = JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.do_lower_case, false);
    const back = await BertTokenizer.fromPretrained(dir);
    assert.deepEqual(back.spec, cased.spec);
    assert.deepEqual(back.encode('Un 好').tokens, ['[CLS]', '[UNK]', '好', '[SEP]']);
    // Without tokenizer.json, vocab.txt and tokenizer_config.json are read.
    await rm(join(dir, 'tokenizer.json'));
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, model_max_length: 4 }));
    const fromVocab = await BertTokenizer.fromPretrained(dir);
    assert.deepEqual(fromVocab.encode('Un 好').tokens, ['[CLS]', 'un', '好', '[SEP]']);
    assert.deepEqual(fromVocab.encode('好天气', { truncation: 'longest_first' }).tokens, [
      '[CLS]',
      '好',
      '天',
      '[SEP]',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('invalid input is a TokenizerError naming the file or argument', async () => {
  assert.throws(
    () => BertTokenizer.fromVocabFile('/no/such/vocab.txt'),
    (e: unknown) => e instanceof TokenizerError && e.message.includes('/no/such/vocab.txt'),
  );
  await assert.rejects(BertTokenizer.fromPretrained('/no/such/dir'), /expected tokenizer.json or vocab.txt/);
  assert.throws(
    () => BertTokenizer.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]'], {}, undefined, 'mini/vocab.txt'),
    /mini\/vocab.txt: the vocabulary has no '\[MASK\]'/,
  );
  const notText: unknown = 42;
  assert.throws(() => tok.encode(notText as string), /encode: 'text' must be a string, got number/);
  const mixed: unknown[] = ['好', [1, 2]];
  assert.throws(() => tok.encodeBatch(mixed as string[]), /'texts\[1\]\[0\]' must be a string/);
  const strategy: unknown = 'middle';
  assert.throws(
    () => tok.encode('好', { truncation: strategy as 'only_first', maxLength: 4 }),
    /valid: longest_first, only_first, only_second/,
  );
});
