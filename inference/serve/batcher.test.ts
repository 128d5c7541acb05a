import assert from 'node:assert/strict';
import { test } from 'vitest';
import { MicroBatcher } from './batcher.js';

test(`a request that arrives as a model call ends joins the next call (it waited for one more: the next batch was \
taken before the event loop read it)`, async () => {
  const calls: string[][] = [];
  let small: Promise<string[]> | undefined;
  const batcher = new MicroBatcher(
    async (items: string[]) => {
      calls.push(items);
      const done = new Promise<void>((resolve) =>
        setTimeout(() => {
          resolve();
          // A request read in the loop turn in which the first call ends, after it. (A second 30 ms timer could be
          // due a millisecond later than this one — each setTimeout reads the clock — and fire a turn too late.)
          if (calls.length === 1) setImmediate(() => (small = batcher.submit(['small'])));
        }, 30),
      );
      await done;
      return items;
    },
    { maxBatch: 4, maxWaitMs: 1 },
  );
  const big = batcher.submit(Array.from({ length: 12 }, (_, i) => `big${i}`));
  assert.equal((await big).length, 12);
  assert.deepEqual(await small, ['small']);
  const at = calls.findIndex((c) => c.includes('small'));
  assert.equal(at, 1, `the small request went in call ${at + 1}: ${JSON.stringify(calls)}`);
});
