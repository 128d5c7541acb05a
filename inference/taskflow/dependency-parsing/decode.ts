/** Batch scores → trees: MST over each sentence's arc scores, then the best label at each chosen head. */
import { maxSpanningTree } from './mst.js';

/** One parsed sentence: 1-based heads (0 = root) and label indices, one per word. */
export interface DecodedTree {
  readonly heads: number[];
  readonly rels: number[];
}

/**
 * Decodes sentence `b` of a batch whose graph outputs are `arc` [batch, nodes, nodes] (dependent ×
 * head) and `rel` [batch, nodes, labels, nodes]; `words` is the sentence's word count.
 * @example
 * decodeTree(arc, rel, { b: 0, nodes: 3, labels: 2, words: 2 }); // { heads: [2, 0], rels: [1, 0] }
 */
export function decodeTree(
  arc: Float32Array,
  rel: Float32Array,
  at: { b: number; nodes: number; labels: number; words: number },
): DecodedTree {
  const { b, nodes, labels, words } = at;
  const n = words + 1;
  const scores = Array.from({ length: n }, (_, d) =>
    Array.from({ length: n }, (_, h) => arc[(b * nodes + d) * nodes + h]!),
  );
  const tree = maxSpanningTree(scores);
  const heads: number[] = [];
  const rels: number[] = [];
  for (let d = 1; d < n; d++) {
    const h = tree[d]!;
    let best = 0;
    let bestScore = -Infinity;
    for (let r = 0; r < labels; r++) {
      const s = rel[((b * nodes + d) * labels + r) * nodes + h]!;
      if (s > bestScore) {
        bestScore = s;
        best = r;
      }
    }
    heads.push(h);
    rels.push(best);
  }
  return { heads, rels };
}
