import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../framework/errors.js';
import { tinyTokenizer } from '../../../framework/testing/tiny-bert.js';
import { bioTags, spansToTagIds, tagIdsToSpans, viterbiTagIds } from './bio.js';
import { charTokenIds, charWindows, textChars } from './char-features.js';

const TAGS = bioTags(['name', 'game']);

test('tags: O, then B-/I- per type', () => {
  assert.deepEqual(TAGS, ['O', 'B-name', 'I-name', 'B-game', 'I-game']);
});

test('spans → tag ids → spans round-trips', () => {
  const spans = [
    { start: 0, end: 3, type: 'name' },
    { start: 3, end: 4, type: 'game' },
    { start: 6, end: 8, type: 'name' },
  ];
  const ids = spansToTagIds(8, spans, TAGS);
  assert.deepEqual(ids, [1, 2, 2, 3, 0, 0, 1, 2]);
  assert.deepEqual(tagIdsToSpans(ids, TAGS), spans);
});

test('lenient BIO: a stray I- opens an entity, a type change closes one; overlaps keep the first', () => {
  assert.deepEqual(tagIdsToSpans([2, 2, 4, 0, 2], TAGS), [
    { start: 0, end: 2, type: 'name' },
    { start: 2, end: 3, type: 'game' },
    { start: 4, end: 5, type: 'name' },
  ]);
  assert.deepEqual(
    spansToTagIds(
      4,
      [
        { start: 0, end: 3, type: 'name' },
        { start: 2, end: 4, type: 'game' },
      ],
      TAGS,
    ),
    [1, 2, 2, 0],
  );
  assert.throws(() => spansToTagIds(2, [{ start: 1, end: 3, type: 'name' }], TAGS), ConfigError);
  assert.throws(() => spansToTagIds(2, [{ start: 0, end: 1, type: 'book' }], TAGS), /entity type 'book' has no tags/);
  assert.throws(() => tagIdsToSpans([7], TAGS), /tag id 7 at position 0/);
});

test('characters: one vocabulary id each, lower-cased, whitespace and unknowns → [UNK]', () => {
  const tok = tinyTokenizer();
  const chars = textChars('CSOL生化 😀');
  assert.equal(chars.length, 8);
  const ids = charTokenIds(tok, chars);
  assert.deepEqual(ids.slice(0, 4), tok.convertTokensToIds(['c', 's', 'o', 'l']));
  assert.deepEqual(ids.slice(4, 6), tok.convertTokensToIds(['生', '化']));
  assert.deepEqual(ids.slice(6), [tok.unkId, tok.unkId]);
});

test('windows cover the text, cut after a sentence end in the second half', () => {
  assert.deepEqual(charWindows([], 5), [{ start: 0, end: 0 }]);
  assert.deepEqual(charWindows(textChars('一二三'), 5), [{ start: 0, end: 3 }]);
  assert.deepEqual(charWindows(textChars('一二三。五六七八九十'), 5), [
    { start: 0, end: 4 },
    { start: 4, end: 9 },
    { start: 9, end: 10 },
  ]);
  assert.deepEqual(charWindows(textChars('。二三四五六'), 4), [
    { start: 0, end: 4 },
    { start: 4, end: 6 },
  ]);
});

test('viterbi decoding: only valid BIO sequences, otherwise the best-scoring path', () => {
  assert.deepEqual(viterbiTagIds(Float32Array.of(0, 0, 1, 0, 0, 2), 2, bioTags(['name'])), [1, 2]);
  // O then I-game: argmax would open an entity with I-; the best valid path tags B-game I-game or O O.
  const scores = Float32Array.of(3, 0, 0, 0, 0, 0, 0, 0, 0, 3);
  const path = viterbiTagIds(scores, 2, TAGS);
  assert.ok(JSON.stringify(path) === '[3,4]' || JSON.stringify(path) === '[0,0]', JSON.stringify(path));
  // Clear scores are kept as they are.
  const clear = Float32Array.from(
    [1, 2, 0, 0, 0].flatMap((t) => TAGS.map((_, j) => (j === [0, 1, 2, 3, 0][t] ? 5 : 0))),
  );
  assert.deepEqual(
    viterbiTagIds(clear, 5, TAGS),
    [0, 1, 2, 3, 0].map((_, t) => [0, 1, 2, 3, 0][[1, 2, 0, 0, 0][t]!]!),
  );
  assert.deepEqual(viterbiTagIds([], 0, TAGS), []);
});
