import { strict as assert } from 'node:assert';
import { test } from 'vitest';
import { shuffleContext, type HostBatch } from './batch.js';

const isSpecial = (id: number) => id < 5;

test('shuffleContext permutes each row among its own unmasked places, keeps masks and specials', () => {
  // Two rows of 8: [CLS]=2 … [SEP]=3, masked places 3 and 12 hold [MASK]=4.
  const inputIds = Int32Array.from([2, 10, 11, 4, 13, 14, 15, 3, 2, 20, 21, 22, 4, 24, 25, 3]);
  const batch: HostBatch = {
    inputIds,
    batch: 2,
    seq: 8,
    positions: Int32Array.from([3, 12]),
    labels: Int32Array.from([12, 23]),
  };
  const shuffled = shuffleContext(batch, isSpecial, 7);
  assert.deepEqual(shuffled.positions, batch.positions);
  assert.deepEqual(shuffled.labels, batch.labels);
  for (const t of [0, 3, 7, 8, 12, 15]) assert.equal(shuffled.inputIds[t], inputIds[t], `place ${t} kept`);
  const row = (ids: Int32Array, r: number) => [...ids.slice(r * 8, r * 8 + 8)].sort((a, b) => a - b);
  assert.deepEqual(row(shuffled.inputIds, 0), row(inputIds, 0), 'row 0 holds the same tokens');
  assert.deepEqual(row(shuffled.inputIds, 1), row(inputIds, 1), 'row 1 holds the same tokens');
  assert.notDeepEqual([...shuffled.inputIds], [...inputIds], 'the order changed');
  assert.deepEqual(shuffleContext(batch, isSpecial, 7).inputIds, shuffled.inputIds, 'seeded');
  assert.deepEqual([...batch.inputIds], [...inputIds], 'the input batch is not modified');
});
