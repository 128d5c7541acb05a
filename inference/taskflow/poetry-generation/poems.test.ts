import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OpenCC from 'opencc-js';
import { afterAll, test } from 'vitest';
import { DataError } from '../../../framework/errors.js';
import { encodePoem, packPoems, poemVocab, preparePoems, readPoemData, regularBody, writePoemData } from './poems.js';

const corpus = fileURLToPath(new URL('./fixtures', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fewprompt-poems-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('regular bodies: 2 or 4 couplets of one width (5 or 7), each line pair equally long', () => {
  assert.equal(
    regularBody(['白日依山尽，黄河入海流。', '欲穷千里目，更上一层楼。']),
    '白日依山尽，黄河入海流。欲穷千里目，更上一层楼。',
  );
  assert.equal(regularBody(['白日依山尽，黄河入海流。']), undefined, 'one couplet');
  assert.equal(
    regularBody(['白日依山尽，黄河入海流。', '两个黄鹂鸣翠柳，一行白鹭上青天。']),
    undefined,
    'mixed widths',
  );
  assert.equal(regularBody(['白日依山尽，黄河入海。', '欲穷千里目，更上一层楼。']), undefined, 'uneven couplet');
});

test('the fixture corpus: Simplified, deduplicated, irregular poems dropped, split by content hash', () => {
  const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });
  const data = preparePoems(corpus, toSimplified, 0.3);
  assert.deepEqual(
    [data.stats.poemsRead, data.stats.kept, data.stats.duplicates, data.train.length, data.heldout.length],
    [12, 9, 1, 7, 2],
  );
  assert.deepEqual(data.stats.kinds, { '5x4': 5, '7x4': 3, '5x8': 1 });
  assert.equal(data.heldout[0], '白日依山尽，黄河入海流。欲穷千里目，更上一层楼。');
  assert.deepEqual(preparePoems(corpus, toSimplified, 0.3).heldout, data.heldout, 'the split is stable');
  writePoemData(join(root, 'data'), data);
  assert.deepEqual(readPoemData(join(root, 'data')), { train: data.train, heldout: data.heldout });
  assert.equal(JSON.parse(readFileSync(join(root, 'data', 'stats.json'), 'utf8')).kept, 9);
  assert.throws(() => preparePoems(root, toSimplified), DataError);
  assert.throws(() => readPoemData(join(root, 'none')), DataError);
});

test('vocabulary by frequency, [BOS] body [EOS], whole poems packed into rows', () => {
  const vocab = poemVocab(['山山水月', '山水'], 2);
  assert.deepEqual(vocab.tokens.slice(4), ['山', '水']);
  const ids = encodePoem(vocab, '山月');
  assert.deepEqual(ids, [vocab.bos, vocab.ids.get('山'), vocab.unk, vocab.eos]);
  assert.deepEqual(
    packPoems(
      [
        [2, 5, 3],
        [2, 6, 6, 3],
        [2, 7, 3],
      ],
      6,
    ),
    [
      [2, 5, 3, 2, 6, 6, 3],
      [2, 7, 3],
    ],
  );
  assert.deepEqual(
    packPoems(
      [
        [2, 5, 5, 5, 5, 5, 5, 3],
        [2, 7, 3],
      ],
      4,
    ),
    [[2, 7, 3]],
    'a poem over seq + 1 is skipped',
  );
});
