import { strict as assert } from 'node:assert';
import { test } from 'vitest';
import { epochOrder, mixSeed, sampleFixed, SeededRandom } from './random.js';

test('a generator continues from its saved state', () => {
  const a = new SeededRandom(5);
  a.next();
  const b = new SeededRandom(a.state);
  assert.deepEqual([a.next(), a.int(100)], [b.next(), b.int(100)]);
});

test('mixSeed: a pure function of all its parts, and each part matters', () => {
  assert.equal(mixSeed(42, 3, 17), mixSeed(42, 3, 17));
  const seeds = new Set([
    mixSeed(42, 3, 17),
    mixSeed(42, 3, 18),
    mixSeed(42, 4, 17),
    mixSeed(43, 3, 17),
    mixSeed(42, 3),
  ]);
  assert.equal(seeds.size, 5);
  assert.ok(Number.isInteger(mixSeed(2 ** 40, -1)) && mixSeed(2 ** 40, -1) >= 0);
});

test('uniform draws: mean near 1/2, ints cover their range; gaussian has unit variance', () => {
  const rng = new SeededRandom(mixSeed(1, 2));
  const xs = Array.from({ length: 20_000 }, () => rng.next());
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert.deepEqual(new Set(Array.from({ length: 200 }, () => rng.int(7))), new Set([0, 1, 2, 3, 4, 5, 6]));
  const gs = Array.from({ length: 20_000 }, () => rng.gaussian());
  const variance = gs.reduce((a, g) => a + g * g, 0) / gs.length;
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
});

test('epochOrder is a permutation that changes per epoch; sampleFixed keeps file order', () => {
  const e0 = epochOrder(50, 7, 0);
  assert.deepEqual(
    [...e0].sort((a, b) => a - b),
    [...Array(50).keys()],
  );
  assert.notDeepEqual(epochOrder(50, 7, 1), e0);
  assert.deepEqual(epochOrder(50, 7, 0), e0);
  const sample = sampleFixed([...Array(20).keys()], 5, 3);
  assert.equal(sample.length, 5);
  assert.deepEqual(
    sample,
    [...sample].sort((a, b) => a - b),
  );
  assert.deepEqual(sampleFixed([1, 2], undefined, 3), [1, 2]);
});
