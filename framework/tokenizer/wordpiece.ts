/**
 * The WordPiece model: greedy longest-match-first splitting of one word into vocabulary pieces,
 * continuation pieces carrying the `##` prefix. A word with an unknown piece, or longer than
 * `maxInputCharsPerWord` code points, becomes a single unknown token (as in the Rust crate).
 */

/**
 * Splits words into WordPiece ids, caching the result per word.
 *
 * @example
 * ```ts
 * const wp = new WordPiece(new Map([['un', 0], ['##aff', 1], ['##able', 2], ['[UNK]', 3]]), 3);
 * wp.split('unaffable'); // Int32Array [0, 0, 2,  1, 2, 5,  2, 5, 9]  (id, start, end) per piece
 * wp.split('xyz');       // Int32Array [3, 0, 3]
 * ```
 */
export class WordPiece {
  /** Longest vocabulary entry in UTF-16 units: no longer substring can match, so none is tried. */
  private readonly longest: number;
  private readonly cache = new Map<string, Int32Array>();

  constructor(
    readonly vocab: ReadonlyMap<string, number>,
    readonly unkId: number,
    readonly prefix = '##',
    readonly maxInputCharsPerWord = 100,
    private readonly cacheSize = 50_000,
  ) {
    let longest = 0;
    for (const token of vocab.keys()) longest = Math.max(longest, token.length);
    this.longest = longest;
  }

  /**
   * Pieces of one normalized word as `(id, start, end)` triples; `start`/`end` are UTF-16 indices
   * into `word`. The returned array is shared with the cache: do not modify it.
   */
  split(word: string): Int32Array {
    let pieces = this.cache.get(word);
    if (pieces === undefined) {
      pieces = this.compute(word);
      if (this.cache.size >= this.cacheSize) this.cache.clear();
      this.cache.set(word, pieces);
    }
    return pieces;
  }

  private compute(word: string): Int32Array {
    const unknown = Int32Array.of(this.unkId, 0, word.length);
    if (countCodePoints(word, this.maxInputCharsPerWord) > this.maxInputCharsPerWord) return unknown;
    const out: number[] = [];
    let start = 0;
    while (start < word.length) {
      const prefix = start > 0 ? this.prefix : '';
      let end = Math.min(word.length, start + this.longest - prefix.length);
      let found = -1;
      while (end > start) {
        if (isLowSurrogate(word.charCodeAt(end))) {
          end--; // never cut a surrogate pair: the crate works on whole characters
          continue;
        }
        const id = this.vocab.get(prefix + word.slice(start, end));
        if (id !== undefined) {
          found = id;
          break;
        }
        end--;
      }
      if (found < 0) return unknown;
      out.push(found, start, end);
      start = end;
    }
    return Int32Array.from(out);
  }
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Code points in `s`, counting no further than `limit + 1`. */
function countCodePoints(s: string, limit: number): number {
  if (s.length <= limit) return s.length;
  let count = 0;
  for (let i = 0; i < s.length && count <= limit; i++) if (!isLowSurrogate(s.charCodeAt(i))) count++;
  return count;
}
