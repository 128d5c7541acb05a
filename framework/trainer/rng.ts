/** Mulberry32: a small seeded PRNG whose whole state is one 32-bit integer (so it checkpoints trivially). */
export class SeededRandom {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A Fisher–Yates shuffled copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** The order of examples in `epoch` for a run seeded with `seed`: a pure function, so resuming needs no saved order. */
export function epochOrder(size: number, seed: number, epoch: number): number[] {
  return new SeededRandom((seed * 1_000_003 + epoch * 7919) >>> 0).shuffle([...Array(size).keys()]);
}

/**
 * At most `max` of `examples`, a fixed-seed sample kept in file
 * order (not the first N: some files are grouped by label).
 * @example sampleFixed(['a', 'b', 'c', 'd'], 2, 7); // → two of them, the same two every time
 */
export function sampleFixed<T>(examples: readonly T[], max: number | undefined, seed: number): T[] {
  if (max === undefined || max >= examples.length) return [...examples];
  const chosen = new SeededRandom(seed)
    .shuffle([...examples.keys()])
    .slice(0, max)
    .sort((a, b) => a - b);
  return chosen.map((i) => examples[i]!);
}
