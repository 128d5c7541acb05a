/** Linear-chain CRF Viterbi decoding as PaddlePaddle's `crf_decoding` (start and end rows of `crfw`). */

/**
 * CRF parameters: start/end scores [L] and transitions [L, L] (from → to). The forward pass keeps
 * only the running maxima (branch-free, eight target tags at a time: independent chains the CPU overlaps);
 * back-pointers are recomputed along the best path alone, which costs L operations per step instead of L² stored
 * arg-maxes.
 */
export class LinearChainCrf {
  /** Transitions transposed to [to, from] so the inner max runs over contiguous memory. */
  private readonly incoming: Float64Array;
  private scores = new Float64Array(0);

  constructor(
    readonly numTags: number,
    readonly start: Float32Array,
    readonly end: Float32Array,
    transitions: Float32Array,
  ) {
    const L = numTags;
    this.incoming = new Float64Array(L * L);
    for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) this.incoming[j * L + i] = transitions[i * L + j]!;
  }

  /**
   * Best tag path for one sequence whose emissions [length, L] start at row `from` of `emissions`.
   * Ties go to the lowest tag id, as in PaddlePaddle.
   * @example
   * const crf = new LinearChainCrf(2, new Float32Array(2), new Float32Array(2), new Float32Array(4));
   * crf.decode(new Float32Array([0, 1]), 0, 1);
   * // Int32Array [ 1 ]
   */
  decode(emissions: Float32Array, from: number, length: number): Int32Array {
    return this.decodeInto(emissions, from, length, new Int32Array(length), 0);
  }

  /**
   * {@link decode} writing the path into `out[at..at+length]` instead of a new array; returns `out`.
   * @example
   * crf.decodeInto(emissions, 0, 3, tags, 5); // tags[5..8] = best path of emission rows 0..3
   */
  decodeInto(emissions: Float32Array, from: number, length: number, out: Int32Array, at: number): Int32Array {
    const L = this.numTags;
    if (length === 0) return out;
    if (this.scores.length < length * L) this.scores = new Float64Array(length * L * 2);
    const { incoming, scores } = this;
    for (let j = 0; j < L; j++) scores[j] = this.start[j]! + emissions[from * L + j]!;
    const L8 = L - (L % 8);
    for (let t = 1; t < length; t++) {
      const prev = (t - 1) * L;
      const cur = t * L;
      const row = (from + t) * L;
      let j = 0;
      for (; j < L8; j += 8) {
        const c0 = j * L,
          c1 = c0 + L,
          c2 = c1 + L,
          c3 = c2 + L,
          c4 = c3 + L,
          c5 = c4 + L,
          c6 = c5 + L,
          c7 = c6 + L;
        let m0 = -Infinity,
          m1 = -Infinity,
          m2 = -Infinity,
          m3 = -Infinity,
          m4 = -Infinity,
          m5 = -Infinity,
          m6 = -Infinity,
          m7 = -Infinity;
        for (let i = 0; i < L; i++) {
          const a = scores[prev + i]!;
          m0 = Math.max(m0, a + incoming[c0 + i]!);
          m1 = Math.max(m1, a + incoming[c1 + i]!);
          m2 = Math.max(m2, a + incoming[c2 + i]!);
          m3 = Math.max(m3, a + incoming[c3 + i]!);
          m4 = Math.max(m4, a + incoming[c4 + i]!);
          m5 = Math.max(m5, a + incoming[c5 + i]!);
          m6 = Math.max(m6, a + incoming[c6 + i]!);
          m7 = Math.max(m7, a + incoming[c7 + i]!);
        }
        scores[cur + j] = m0 + emissions[row + j]!;
        scores[cur + j + 1] = m1 + emissions[row + j + 1]!;
        scores[cur + j + 2] = m2 + emissions[row + j + 2]!;
        scores[cur + j + 3] = m3 + emissions[row + j + 3]!;
        scores[cur + j + 4] = m4 + emissions[row + j + 4]!;
        scores[cur + j + 5] = m5 + emissions[row + j + 5]!;
        scores[cur + j + 6] = m6 + emissions[row + j + 6]!;
        scores[cur + j + 7] = m7 + emissions[row + j + 7]!;
      }
      for (; j < L; j++) {
        const c = j * L;
        let m = -Infinity;
        for (let i = 0; i < L; i++) m = Math.max(m, scores[prev + i]! + incoming[c + i]!);
        scores[cur + j] = m + emissions[row + j]!;
      }
    }
    let best = -Infinity;
    const last = (length - 1) * L;
    for (let j = 0; j < L; j++) {
      const score = scores[last + j]! + this.end[j]!;
      if (score > best) {
        best = score;
        out[at + length - 1] = j;
      }
    }
    for (let t = length - 1; t > 0; t--) {
      const prev = (t - 1) * L;
      const col = out[at + t]! * L;
      let arg = 0;
      let top = -Infinity;
      for (let i = 0; i < L; i++) {
        const score = scores[prev + i]! + incoming[col + i]!;
        if (score > top) {
          top = score;
          arg = i;
        }
      }
      out[at + t - 1] = arg;
    }
    return out;
  }
}
