/**
 * A small seeded random generator (sfc32) whose whole state is four 32-bit numbers, so a run can save
 * it and resume bit-for-bit; plus `mixSeed` to derive independent streams (per epoch, per chunk, per step).
 */

/**
 * Hashes integers into one 32-bit seed (murmur3 finaliser per element).
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
 * sfc32: fast, good-quality 32-bit PRNG.
 * @example
 * const rng = new Rng(7);
 * rng.next();           // → a float in [0, 1)
 * rng.int(10);          // → an integer in [0, 10)
 * new Rng(rng.state()); // continues the same stream
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | readonly [number, number, number, number]) {
    if (typeof seed === 'number') {
      this.a = mixSeed(seed, 1);
      this.b = mixSeed(seed, 2);
      this.c = mixSeed(seed, 3);
      this.d = 1;
      for (let i = 0; i < 12; i++) this.u32();
    } else {
      [this.a, this.b, this.c, this.d] = seed;
    }
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T extends Int32Array | number[]>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** The four state words, for checkpoints. */
  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }
}
