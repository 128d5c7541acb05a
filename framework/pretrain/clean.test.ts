import { strict as assert } from 'node:assert';
import { test } from 'vitest';
import { Cleaner, fnv1a, normalizeLight } from './clean.js';

test('light normalisation keeps Chinese punctuation, folds full-width alphanumerics', () => {
  assert.equal(normalizeLight('\ufeffＡＢＣ１２３，好\u0000  吗\u3000。'), 'ABC123，好 吗 。');
  assert.equal(new Cleaner({ normalization: 'nfkc' }).normalize('好，ＡＢ'), '好,AB');
  assert.equal(new Cleaner({ normalization: 'none' }).normalize(' ＡＢ '), ' ＡＢ ');
});

test('filters and de-duplication are counted', () => {
  const c = new Cleaner({ minChars: 3, maxChars: 6, remove: ['#idiom#'] });
  const out = ['好吃好吃', ' 好吃好吃 ', '好', '', '一二三四五六七', '据#idiom#报道', 'ＯＫ了吧'].map((t) =>
    c.clean(t),
  );
  assert.deepEqual(out, ['好吃好吃', undefined, undefined, undefined, undefined, '据报道', 'OK了吧']);
  assert.deepEqual(c.counts, {
    read: 7,
    empty: 1,
    tooShort: 1,
    tooLong: 1,
    duplicates: 1,
    contaminated: 0,
    kept: 3,
    keptChars: 11,
  });
});

test('decontamination: a document equal to an excluded text (after normalisation) is dropped and counted', () => {
  const c = new Cleaner();
  assert.equal(
    c.exclude(['物流很快，包装很好。', ' 物流很快，包装很好。 ', '']),
    1,
    'normalised before comparing; empty texts ignored',
  );
  const out = ['物流很快，包装很好。 ', '物流很快，包装很好。还会再买', '早餐太差了吧'].map((t) => c.clean(t));
  assert.deepEqual(
    out,
    [undefined, '物流很快，包装很好。还会再买', '早餐太差了吧'],
    'exact matches only: a longer document that contains a test text stays',
  );
  assert.equal(c.counts.contaminated, 1);
  assert.equal(c.counts.kept, 2);
});

test('hash buckets are stable', () => {
  assert.equal(fnv1a('好吃'), fnv1a('好吃'));
  assert.notEqual(fnv1a('好吃'), fnv1a('好喝'));
});
