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
      const done = new Promise<void>((resolve) => setTimeout(resolve, 30));
      // Due in the same timers phase as the end of this first call, after it: as a request read in that loop turn.
      if (calls.length === 1) setTimeout(() => (small = batcher.submit(['small'])), 30);
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
