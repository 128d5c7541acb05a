/**
 * The project's one seeded random generator, and the seed derivation every seeded stream uses. Training data
 * orders, pretraining masks, dropout seeds, sampling in generation and fixed samples of dev sets all draw from
 * {@link SeededRandom}, seeded with {@link mixSeed} of (run seed, purpose, epoch, item…) so that each stream is a
 * pure function of its coordinates: a resumed run needs no saved generator state.
 */

/**
 * Hashes integers into one 32-bit seed (murmur3 finaliser per element): independent streams per epoch, chunk, step.
 * @example mixSeed(42, 3, 17) // → the same 32-bit number on every run, unrelated to mixSeed(42, 3, 18)
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    let k = Math.imul((p | 0) ^ Math.floor(p / 4294967296), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Mulberry32: a small seeded PRNG whose whole state is one 32-bit integer (so it checkpoints trivially).
 * @example
 * const rng = new SeededRandom(7);
 * rng.next();                       // → a float in [0, 1)
 * rng.int(10);                      // → an integer in [0, 10)
 * new SeededRandom(rng.state);      // continues the same stream
 */
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

  /** A standard normal draw (Box–Muller). */
  gaussian(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
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
