import { strict as assert } from 'node:assert';
import { test } from 'vitest';
import { PackedCorpus, TokenStream } from './packing.js';

test('documents are joined with [SEP] and cut into [CLS] … [SEP] chunks', () => {
  const s = new TokenStream(3);
  s.append([10, 11, 12], [1, 0, 1]);
  s.append([]);
  s.append([13, 14, 15, 16], [1, 1, 0, 0]);
  assert.deepEqual([...s.tokens()], [10, 11, 12, 3, 13, 14, 15, 16]);
  assert.equal(s.documentCount, 2);
  const p = new PackedCorpus(s.tokens(), s.wordStarts(), 5, { cls: 2, sep: 3 });
  assert.equal(p.size, 2); // 8 tokens / 3 per chunk; the last 2 are dropped
  assert.deepEqual([...p.chunk(0).ids], [2, 10, 11, 12, 3]);
  assert.deepEqual([...p.chunk(1).ids], [2, 3, 13, 14, 3]);
  assert.deepEqual([...p.chunk(0).wordStart], [1, 1, 0, 1, 1]);
  assert.throws(() => p.chunk(2));
  assert.equal(
    p.fingerprint(),
    new PackedCorpus(Int32Array.from(s.tokens()), undefined, 5, { cls: 2, sep: 3 }).fingerprint(),
  );
});
