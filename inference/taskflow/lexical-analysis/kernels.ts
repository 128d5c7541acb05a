/**
 * Plain TypeScript kernels for the LAC BiGRU (PaddlePaddle `dynamic_gru` semantics). Every
 * sequence of a batch is laid end to end (`offsets[b]..offsets[b+1]`), so the input projection of
 * a whole batch is one matrix product and only the recurrence runs step by step.
 */
import type { GruDirection, LacWeights } from './weights.js';

/**
 * out[n, m] = x[n, k] · w[k, m] + bias[m] (row-major, i-p-j order so the inner loop is contiguous).
 * @example
 * matmulBias(new Float32Array([1, 2]), new Float32Array([3, 4]),
 * new Float32Array([0.5]), 1, 2, 1); // Float32Array [ 11.5 ]
 */
export function matmulBias(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array,
  n: number,
  k: number,
  m: number,
  out = new Float32Array(n * m),
): Float32Array {
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let j = 0; j < m; j++) out[row + j] = bias[j]!;
    const xRow = i * k;
    for (let p = 0; p < k; p++) {
      const a = x[xRow + p]!;
      if (a === 0) continue;
      const wRow = p * m;
      for (let j = 0; j < m; j++) out[row + j] += a * w[wRow + j]!;
    }
  }
  return out;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Runs one GRU direction over every sequence. `gates` holds the input projections [N, 3H]
 * (update | reset | candidate); the hidden states go to `out` [N, outStride] at column `outColumn`.
 */
export function gruDirection(
  gates: Float32Array,
  offsets: Int32Array,
  g: GruDirection,
  h: number,
  reverse: boolean,
  out: Float32Array,
  outStride: number,
  outColumn: number,
): void {
  const state = new Float32Array(h);
  const resetState = new Float32Array(h);
  const ur = new Float32Array(2 * h);
  const cand = new Float32Array(h);
  const { gateWeight, candidateWeight } = g;
  for (let b = 0; b + 1 < offsets.length; b++) {
    const start = offsets[b]!;
    const end = offsets[b + 1]!;
    state.fill(0);
    for (let s = 0; s < end - start; s++) {
      const t = reverse ? end - 1 - s : start + s;
      const gRow = t * 3 * h;
      // ur = x_ur + state · gateWeight[H, 2H]
      for (let j = 0; j < 2 * h; j++) ur[j] = gates[gRow + j]!;
      for (let p = 0; p < h; p++) {
        const a = state[p]!;
        if (a === 0) continue;
        const wRow = p * 2 * h;
        for (let j = 0; j < 2 * h; j++) ur[j] += a * gateWeight[wRow + j]!;
      }
      for (let j = 0; j < h; j++) resetState[j] = sigmoid(ur[h + j]!) * state[j]!;
      // candidate = tanh(x_c + (r ⊙ state) · candidateWeight[H, H])
      for (let j = 0; j < h; j++) cand[j] = gates[gRow + 2 * h + j]!;
      for (let p = 0; p < h; p++) {
        const a = resetState[p]!;
        if (a === 0) continue;
        const wRow = p * h;
        for (let j = 0; j < h; j++) cand[j] += a * candidateWeight[wRow + j]!;
      }
      const oRow = t * outStride + outColumn;
      for (let j = 0; j < h; j++) {
        const u = sigmoid(ur[j]!);
        const next = state[j]! + u * (Math.tanh(cand[j]!) - state[j]!); // (1-u)·h' + u·c
        state[j] = next;
        out[oRow + j] = next;
      }
    }
  }
}

/**
 * Emission scores [N, numTags] for character ids laid end to end (`offsets` has B + 1 entries).
 * @example
 * const ids = vocab.encode([...'三亚']);
 * jsEmissions(weights, ids, Int32Array.of(0, 2)).length; // 2 * 57
 */
export function jsEmissions(w: LacWeights, ids: Int32Array, offsets: Int32Array): Float32Array {
  const { embeddingDim: e, hiddenDim: h, numTags } = w.config;
  const n = ids.length;
  let x = new Float32Array(n * e);
  for (let i = 0; i < n; i++) x.set(w.embedding.subarray(ids[i]! * e, (ids[i]! + 1) * e), i * e);
  let width = e;
  const gates = new Float32Array(n * 3 * h);
  for (const layer of w.layers) {
    const next = new Float32Array(n * 2 * h);
    matmulBias(x, layer.forward.inputWeight, layer.forward.inputBias, n, width, 3 * h, gates);
    gruDirection(gates, offsets, layer.forward, h, false, next, 2 * h, 0);
    matmulBias(x, layer.backward.inputWeight, layer.backward.inputBias, n, width, 3 * h, gates);
    gruDirection(gates, offsets, layer.backward, h, true, next, 2 * h, h);
    x = next;
    width = 2 * h;
  }
  return matmulBias(x, w.emissionWeight, w.emissionBias, n, width, numTags);
}
