import { test } from 'vitest';
import assert from 'node:assert/strict';
import { LinearChainCrf } from './crf.js';

function bruteForce(
  em: Float32Array,
  T: number,
  L: number,
  start: Float32Array,
  end: Float32Array,
  trans: Float32Array,
): number[] {
  let best = -Infinity;
  let bestPath: number[] = [];
  const path = new Array<number>(T).fill(0);
  const visit = (t: number, score: number) => {
    if (t === T) {
      const total = score + end[path[T - 1]!]!;
      if (total > best) {
        best = total;
        bestPath = [...path];
      }
      return;
    }
    for (let j = 0; j < L; j++) {
      path[t] = j;
      const s = t === 0 ? start[j]! : trans[path[t - 1]! * L + j]!;
      visit(t + 1, score + s + em[t * L + j]!);
    }
  };
  visit(0, 0);
  return bestPath;
}

test('Viterbi equals brute force over all paths, start and end rows included', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2;
  // L = 11 and 16 run the eight-tags-at-a-time loop (with and without a remainder), the rest only the remainder loop.
  for (const [T, L] of [
    [1, 3],
    [4, 5],
    [5, 6],
    [4, 11],
    [3, 16],
  ] as const) {
    for (let trial = 0; trial < 5; trial++) {
      const em = Float32Array.from({ length: T * L }, rand);
      const start = Float32Array.from({ length: L }, rand);
      const end = Float32Array.from({ length: L }, rand);
      const trans = Float32Array.from({ length: L * L }, rand);
      const crf = new LinearChainCrf(L, start, end, trans);
      assert.deepEqual([...crf.decode(em, 0, T)], bruteForce(em, T, L, start, end, trans));
    }
  }
});

test('decodes a sequence at an offset and an empty one', () => {
  const crf = new LinearChainCrf(2, new Float32Array(2), new Float32Array(2), new Float32Array(4));
  assert.deepEqual([...crf.decode(new Float32Array([9, 9, 0, 1, 1, 0]), 1, 2)], [1, 0]);
  assert.deepEqual([...crf.decode(new Float32Array(0), 0, 0)], []);
});
