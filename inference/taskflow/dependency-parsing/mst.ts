/**
 * Maximum spanning tree decoding of arc scores (Chu-Liu/Edmonds), so every parse is a tree with one
 * word attached to the root — the decoding of Dozat & Manning's biaffine parser as in DDParser/supar.
 *
 * Scores are a square matrix over nodes 0..n (0 = the root): `scores[d][h]` is the score of `h` being
 * the head of dependent `d`. Row 0 is ignored (the root has no head).
 */

/**
 * Heads of the highest-scoring tree (index 0 unused, `-1`): Chu-Liu/Edmonds by cycle contraction,
 * then, when the best tree gives the root several children, the best tree with each of them as the
 * only one (supar's single-root rule).
 * @example
 * maxSpanningTree([[0, 0, 0], [1, 0, 5], [9, 2, 0]]); // [-1, 2, 0]: word 2 is the root, word 1 depends on it
 */
export function maxSpanningTree(scores: readonly (readonly number[])[]): number[] {
  const n = scores.length;
  const s = scores.map((row, d) => row.map((v, h) => (d === 0 || h === d || !Number.isFinite(v) ? -Infinity : v)));
  let heads = chuLiuEdmonds(s);
  const rootChildren = heads.flatMap((h, d) => (d > 0 && h === 0 ? [d] : []));
  if (rootChildren.length > 1) {
    let best = -Infinity;
    for (const root of rootChildren) {
      const single = s.map((row, d) => row.map((v, h) => (h === 0 && d !== root ? -Infinity : v)));
      const tree = chuLiuEdmonds(single);
      const total = treeScore(single, tree);
      if (total > best) {
        best = total;
        heads = tree;
      }
    }
  }
  if (n > 0) heads[0] = -1;
  return heads;
}

/** Sum of the arc scores of a tree. */
export function treeScore(scores: readonly (readonly number[])[], heads: readonly number[]): number {
  let total = 0;
  for (let d = 1; d < heads.length; d++) total += scores[d]![heads[d]!]!;
  return total;
}

/** A cycle among the best heads (node list), or undefined. */
function findCycle(heads: readonly number[]): number[] | undefined {
  const n = heads.length;
  const state = new Int8Array(n); // 0 unvisited, 1 on the current path, 2 done
  state[0] = 2;
  for (let start = 1; start < n; start++) {
    if (state[start] !== 0) continue;
    const path: number[] = [];
    let v = start;
    while (state[v] === 0) {
      state[v] = 1;
      path.push(v);
      v = heads[v]!;
    }
    if (state[v] === 1) return path.slice(path.indexOf(v));
    for (const p of path) state[p] = 2;
  }
  return undefined;
}

/** Chu-Liu/Edmonds on a dense score matrix with -Infinity for forbidden arcs; heads[0] = 0. */
function chuLiuEdmonds(s: readonly (readonly number[])[]): number[] {
  const n = s.length;
  const heads = s.map((row, d) => {
    if (d === 0) return 0;
    let best = 0;
    for (let h = 1; h < n; h++) if (row[h]! > row[best]!) best = h;
    return best;
  });
  const cycle = findCycle(heads);
  if (!cycle) return heads;
  // Contract the cycle into one node: kept nodes first (0 stays the root), the cycle last.
  const inCycle = new Set(cycle);
  const kept = Array.from({ length: n }, (_, i) => i).filter((i) => !inCycle.has(i));
  const c = kept.length;
  const cycleScore = cycle.reduce((sum, d) => sum + s[d]![heads[d]!]!, 0);
  const m = c + 1;
  const sub: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(-Infinity));
  const enterFrom = new Array<number>(c).fill(-1); // for a kept head h: the cycle node it enters through
  const leaveTo = new Array<number>(c).fill(-1); // for a kept dependent d: the cycle node heading it
  kept.forEach((d, i) => {
    kept.forEach((h, j) => {
      sub[i]![j] = s[d]![h]!;
    });
    let best = -Infinity;
    for (const h of cycle)
      if (s[d]![h]! > best) {
        best = s[d]![h]!;
        leaveTo[i] = h;
      }
    sub[i]![c] = best;
  });
  kept.forEach((h, j) => {
    let best = -Infinity;
    for (const d of cycle) {
      const gain = s[d]![h]! - s[d]![heads[d]!]!;
      if (gain > best) {
        best = gain;
        enterFrom[j] = d;
      }
    }
    sub[c]![j] = best + cycleScore;
  });
  const contracted = chuLiuEdmonds(sub);
  const out = heads.slice();
  kept.forEach((d, i) => {
    if (i === 0) return;
    const h = contracted[i]!;
    out[d] = h === c ? leaveTo[i]! : kept[h]!;
  });
  const entryHead = contracted[c]!;
  out[enterFrom[entryHead]!] = kept[entryHead]!;
  return out;
}
