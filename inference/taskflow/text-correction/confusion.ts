/**
 * Confusion sets for Chinese spelling correction: for a character, the characters it is commonly
 * mistaken for (same or similar pinyin, similar shape). The corrector only proposes a character from
 * the confusion set of the one written, which keeps a weak masked LM from "correcting" rare but right
 * characters into frequent ones.
 *
 * Formats read: SIGHAN's `same_pinyin.txt` (`char<TAB>同音同调<TAB>同音异调[<TAB>…]`, `#` comments),
 * `same_stroke.txt` (one tab-separated group of look-alike characters per line), and our own
 * `confusion.txt` (`char<TAB>candidates`, written by {@link ConfusionSet.serialize}).
 */
import { DataError } from '../../../framework/errors.js';

/** CJK Unified Ideographs (and extension A): the characters spelling correction rewrites. */
export function isHanzi(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return ch.length === 1 && ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf));
}

/**
 * A character → candidates table.
 * @example
 * const c = new ConfusionSet();
 * c.addPinyin('一\t壹\t漪\n');
 * [...c.candidates('壹')]; // → ['一'] (pinyin pairs are symmetric)
 */
export class ConfusionSet {
  private readonly table = new Map<string, Set<string>>();

  /** Adds `b` as a candidate for `a` (both must be single hanzi; others are ignored). */
  add(a: string, b: string): void {
    if (a === b || !isHanzi(a) || !isHanzi(b)) return;
    let set = this.table.get(a);
    if (!set) this.table.set(a, (set = new Set()));
    set.add(b);
  }

  /** Candidates for `ch` (empty when it has none). */
  candidates(ch: string): ReadonlySet<string> {
    return this.table.get(ch) ?? EMPTY;
  }

  /** Characters that have candidates. */
  get size(): number {
    return this.table.size;
  }

  /** Largest candidate list. */
  get maxCandidates(): number {
    let max = 0;
    for (const s of this.table.values()) max = Math.max(max, s.size);
    return max;
  }

  /** SIGHAN `same_pinyin.txt` content: every listed character ↔ the line's key, both ways. */
  addPinyin(text: string, name = 'same_pinyin.txt'): this {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line === '' || line.startsWith('#')) return;
      const [key, ...groups] = line.split('\t');
      if (key === undefined || !isHanzi(key))
        throw new DataError(
          `${name}:${i + 1}: expected a character then tab-separated candidates, got '${line.slice(0, 30)}'`,
        );
      for (const group of groups)
        for (const ch of group) {
          this.add(key, ch);
          this.add(ch, key);
        }
    });
    return this;
  }

  /** SIGHAN `same_stroke.txt` content: every pair within a line's group, both ways. */
  addStroke(text: string): this {
    for (const line of text.split(/\r?\n/)) {
      const group = line.split(/\s+/).filter((c) => c !== '');
      for (const a of group) for (const b of group) this.add(a, b);
    }
    return this;
  }

  /** Observed (wrong → right) pairs, e.g. from training data. */
  addPairs(pairs: Iterable<readonly [string, string]>): this {
    for (const [wrong, right] of pairs) this.add(wrong, right);
    return this;
  }

  /** Our `confusion.txt`: one `char<TAB>candidates` line per character, sorted. */
  serialize(): string {
    return [...this.table.keys()]
      .sort()
      .map((k) => `${k}\t${[...this.table.get(k)!].sort().join('')}\n`)
      .join('');
  }

  /**
   * Reads what {@link serialize} wrote.
   * @example ConfusionSet.parse('一\t壹漪\n').candidates('一').size // → 2
   */
  static parse(text: string, name = 'confusion.txt'): ConfusionSet {
    const set = new ConfusionSet();
    text.split(/\r?\n/).forEach((line, i) => {
      if (line === '') return;
      const [key, cands, extra] = line.split('\t');
      if (key === undefined || cands === undefined || extra !== undefined || !isHanzi(key)) {
        throw new DataError(`${name}:${i + 1}: expected 'char<TAB>candidates', got '${line.slice(0, 30)}'`);
      }
      for (const ch of cands) set.add(key, ch);
    });
    return set;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
