import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../framework/errors.js';
import { Lac } from '../lexical-analysis/lac.js';
import { checkLacTagFeatures, LacCharTagVocab, PAD_LAC_TAG_ID, UNKNOWN_LAC_TAG_ID } from './lac-char-tags.js';
import { textChars } from './char-features.js';

test('LacCharTagVocab: padding 0, unknown / untagged 1, then the tags in order; duplicates refused', () => {
  const v = new LacCharTagVocab(['n-B', 'n-I', 'PER-B']);
  assert.equal(v.rows, 5);
  assert.equal(PAD_LAC_TAG_ID, 0);
  assert.deepEqual(v.ids(['PER-B', undefined, 'n-I', 'SEASON-B']), [4, UNKNOWN_LAC_TAG_ID, 3, UNKNOWN_LAC_TAG_ID]);
  assert.throws(() => new LacCharTagVocab(['n-B', 'n-B']), /duplicates/);
});

test('checkLacTagFeatures: a tag list and a positive width', () => {
  assert.deepEqual(checkLacTagFeatures({ tags: ['n-B'], size: 8 }, 'x'), { tags: ['n-B'], size: 8 });
  assert.throws(
    () => checkLacTagFeatures({ tags: [], size: 8 }, 'method.json'),
    (e: Error) => e instanceof ConfigError && /method.json: lacTags.tags/.test(e.message),
  );
  assert.throws(
    () => checkLacTagFeatures({ tags: ['n-B'], size: 0 }, 'x'),
    /lacTags.size must be a positive integer, got 0/,
  );
  assert.throws(() => checkLacTagFeatures({ tags: ['a', 'a'], size: 2 }, 'x'), /duplicates/);
});

test('textIds: the shipped LAC, one id per character (whitespace unknown)', async () => {
  const lac = await Lac.load(undefined, { workers: 0 });
  const vocab = new LacCharTagVocab(lac.vocab.tags);
  const [ids, spaced] = await vocab.textIds(lac, ['百度是', '李小龙 去了香港']);
  assert.deepEqual(ids, [54, 55, 40]);
  assert.equal(spaced!.length, textChars('李小龙 去了香港').length);
  assert.equal(spaced![3], UNKNOWN_LAC_TAG_ID);
  assert.equal(lac.vocab.tags[spaced![0]! - 2], 'PER-B');
  await lac.close();
});
