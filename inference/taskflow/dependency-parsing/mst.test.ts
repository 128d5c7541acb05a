import { test } from 'vitest';
import assert from 'node:assert/strict';
import { maxSpanningTree, treeScore } from './mst.js';

/** Every head assignment that is a tree with one root child, by brute force. */
function bestTreeBrute(scores: number[][]): number {
  const n = scores.length;
  let best = -Infinity;
  const heads = new Array<number>(n).fill(0);
  const rec = (d: number): void => {
    if (d === n) {
      if (heads.slice(1).filter((h) => h === 0).length !== 1) return;
      for (let v = 1; v < n; v++) {
        // every word reaches the root
        let x = v;
        for (let k = 0; k < n && x !== 0; k++) x = heads[x]!;
        if (x !== 0) return;
      }
      best = Math.max(best, treeScore(scores, heads));
      return;
    }
    for (let h = 0; h < n; h++)
      if (h !== d) {
        heads[d] = h;
        rec(d + 1);
      }
  };
  rec(1);
  return best;
}

function isSingleRootTree(heads: number[]): boolean {
  const n = heads.length;
  if (heads.slice(1).filter((h) => h === 0).length !== 1) return false;
  for (let v = 1; v < n; v++) {
    let x = v;
    for (let k = 0; k < n && x !== 0; k++) x = heads[x]!;
    if (x !== 0) return false;
  }
  return true;
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

test('argmax heads that already form a tree are kept', () => {
  assert.deepEqual(
    maxSpanningTree([
      [0, 0, 0],
      [1, 0, 5],
      [9, 2, 0],
    ]),
    [-1, 2, 0],
  );
});

test('a two-cycle is broken at its cheapest arc', () => {
  // 1 ↔ 2 prefer each other; the root prefers 1 slightly.
  assert.deepEqual(
    maxSpanningTree([
      [0, 0, 0],
      [2, 0, 10],
      [1, 10, 0],
    ]),
    [-1, 0, 1],
  );
});

test('several root children are reduced to one', () => {
  const heads = maxSpanningTree([
    [0, 0, 0, 0],
    [5, 0, 1, 1],
    [5, 1, 0, 1],
    [5, 1, 1, 0],
  ]);
  assert.ok(isSingleRootTree(heads), `not a single-root tree: ${heads.join(',')}`);
});

test('random scores: a single-root tree as good as brute force (n ≤ 5)', () => {
  const rand = lcg(7);
  for (let trial = 0; trial < 300; trial++) {
    const n = 2 + (trial % 4);
    const scores = Array.from({ length: n }, () => Array.from({ length: n }, () => Math.round(rand() * 20 - 10)));
    const heads = maxSpanningTree(scores);
    assert.ok(isSingleRootTree(heads), `trial ${trial}: ${heads.join(',')}`);
    assert.ok(
      treeScore(scores, heads) >= bestTreeBrute(scores) - 1e-9,
      `trial ${trial}: ${treeScore(scores, heads)} < ${bestTreeBrute(scores)}`,
    );
  }
});

test('random scores on longer sentences always give trees', () => {
  const rand = lcg(11);
  for (let trial = 0; trial < 30; trial++) {
    const n = 10 + trial * 3;
    const scores = Array.from({ length: n }, () => Array.from({ length: n }, () => rand() * 10));
    assert.ok(isSingleRootTree(maxSpanningTree(scores)));
  }
});
