import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Lac } from '../lexical-analysis/lac.js';
import { lacWordTags, TagVocab, wordTagsFromCharacters } from './word-tags.js';

test('a word takes the type of the first tagged character; whitespace-only words get none', () => {
  assert.deepEqual(
    wordTagsFromCharacters(['百度', '是', ' ', '公司'], ['ORG-B', 'ORG-I', 'v-B', undefined, 'n-B', 'n-I']),
    ['ORG', 'v', '', 'n'],
  );
  // A word that starts inside a LAC word takes that word's type.
  assert.deepEqual(wordTagsFromCharacters(['高', '科技'], ['n-B', 'n-I', 'n-I']), ['n', 'n']);
});

test('TagVocab: root first, unknown tags → 1, duplicates refused', () => {
  const v = new TagVocab(['n', 'v']);
  assert.equal(v.size, 4);
  assert.deepEqual(v.ids(['v', 'n', 'SEASON', '']), [0, 3, 2, 1, 1]);
  assert.throws(() => new TagVocab(['n', 'n']), /duplicates/);
});

test(`LAC word tags: for LAC's own words the same as analyze(); for other segmentations the containing word's \
type`, async () => {
  const lac = await Lac.load(undefined, { workers: 0 });
  const [own] = await lac.analyze(['百度是一家高科技公司']);
  assert.deepEqual(await lacWordTags(lac, [own!.words]), [own!.tags]);
  const [split] = await lacWordTags(lac, [['百度', '是', '一家', '高', '科技', '公司']]);
  const tagOf = (w: string) => own!.tags[own!.words.indexOf(w)]!;
  assert.deepEqual(split, [tagOf('百度'), tagOf('是'), tagOf('一家'), tagOf('高科技'), tagOf('高科技'), tagOf('公司')]);
  const chars = (await lac.tagCharacters(['百度 是']))[0]!;
  assert.equal(chars.length, 4);
  assert.equal(chars[2], undefined);
  await lac.close();
});
