import { strict as assert } from 'node:assert';
import { test } from 'vitest';
import { DataOrder } from './data-order.js';
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

test('data order: a permutation per epoch, resumable from its state', () => {
  const order = new DataOrder(10, 7);
  const first = order.next(10);
  assert.deepEqual(
    first.map((p) => p.index).sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.ok(first.every((p) => p.epoch === 0));
  const second = order.next(10).map((p) => p.index);
  assert.notDeepEqual(
    second,
    first.map((p) => p.index),
    'a new permutation each epoch',
  );

  const straight = new DataOrder(10, 7);
  straight.next(4);
  const saved = JSON.parse(JSON.stringify(straight.state()));
  const expected = straight.next(13);
  assert.deepEqual(DataOrder.fromState(saved).next(13), expected);
  assert.equal(expected[6]!.epoch, 1);
});
