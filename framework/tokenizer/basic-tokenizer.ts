/**
 * BERT's "basic tokenizer": the `BertNormalizer` plus the `BertPreTokenizer` of Hugging Face
 * tokenizers, fused into one pass that remembers where every normalized character came from.
 *
 * Rules, as in the Rust crate (matched code point by code point, see `basic-tokenizer.test.ts`):
 * clean-up drops U+0000, U+FFFD and control / format / private-use characters except tab, newline
 * and carriage return, and maps whitespace to a space; every CJK ideograph becomes a word of its own;
 * accents are stripped by NFD and dropping non-spacing marks; lower-casing is per code point (so `Σ`
 * is always `σ`, unlike `String.prototype.toLowerCase`'s final-sigma rule); words split on
 * whitespace, and every punctuation character is a word of its own. The control, punctuation, mark
 * and decomposition sets are the crate's own (`unicode-tables.ts`), not JavaScript's newer `\p{…}`.
 */
import type { ResolvedNormalizerOptions } from './base.js';
import { CONTROL, DECOMPOSABLE, NONSPACING_MARK, PUNCTUATION } from './unicode-tables.js';

const WORD = 0;
const PUNCT = 1;
const SPACE = 2;

/** What one input code point becomes: zero or more normalized code points, each with its class. */
interface CharEntry {
  readonly chars: readonly string[];
  readonly classes: readonly number[];
}

const REMOVED: CharEntry = { chars: [], classes: [] };
const WHITESPACE = /^\p{White_Space}$/u;

/** A set of code points from a `unicode-tables.ts` range string, as a sorted `[start, end]` list. */
class CodePointSet {
  private readonly bounds: Int32Array;

  constructor(ranges: string) {
    const pairs = ranges.split(',').map((range) => {
      const [start = '', end = start] = range.split('-');
      return [Number.parseInt(start, 16), Number.parseInt(end, 16)];
    });
    this.bounds = Int32Array.from(pairs.flat());
  }

  has(cp: number): boolean {
    let lo = 0;
    let hi = this.bounds.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cp < (this.bounds[2 * mid] ?? 0)) hi = mid - 1;
      else if (cp > (this.bounds[2 * mid + 1] ?? 0)) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

const CONTROL_SET = new CodePointSet(CONTROL);
const PUNCTUATION_SET = new CodePointSet(PUNCTUATION);
const NONSPACING_MARK_SET = new CodePointSet(NONSPACING_MARK);
const DECOMPOSABLE_SET = new CodePointSet(DECOMPOSABLE);

/** CJK ideograph blocks that BERT isolates (the `is_chinese_char` ranges of the Rust crate). */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function classify(ch: string): number {
  if (WHITESPACE.test(ch)) return SPACE;
  return PUNCTUATION_SET.has(ch.codePointAt(0) ?? 0) ? PUNCT : WORD;
}

/** NFD (of the code points the crate decomposes), then drop the non-spacing marks. */
function stripAccentsOf(s: string): string {
  let out = '';
  for (const ch of s) {
    const decomposed = DECOMPOSABLE_SET.has(ch.codePointAt(0) ?? 0) ? ch.normalize('NFD') : ch;
    for (const part of decomposed) if (!NONSPACING_MARK_SET.has(part.codePointAt(0) ?? 0)) out += part;
  }
  return out;
}

/**
 * The words of a text, each with the original span of every UTF-16 unit of its normalized form.
 * Word `k` is `words[k]`; its unit `j` came from `text.slice(starts[bases[k] + j], ends[bases[k] + j])`.
 * One instance is reused across calls (`reset`), so encoding allocates little.
 */
export class PreTokens {
  readonly words: string[] = [];
  readonly bases: number[] = [];
  starts = new Int32Array(1024);
  ends = new Int32Array(1024);
  size = 0;

  reset(): void {
    this.words.length = 0;
    this.bases.length = 0;
    this.size = 0;
  }

  pushUnits(count: number, start: number, end: number): void {
    if (this.size + count > this.starts.length) {
      const grown = Math.max(this.starts.length * 2, this.size + count);
      const starts = new Int32Array(grown);
      const ends = new Int32Array(grown);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    for (let k = 0; k < count; k++) {
      this.starts[this.size] = start;
      this.ends[this.size] = end;
      this.size++;
    }
  }
}

/**
 * Normalizes and splits text into words, keeping offsets into the original string.
 *
 * @example
 * ```ts
 * const basic = new BasicTokenizer(resolveNormalizerOptions());
 * const out = new PreTokens();
 * basic.split('Héllo,世界', 0, 8, out);
 * out.words; // ['hello', ',', '世', '界']
 * ```
 */
export class BasicTokenizer {
  private readonly cache = new Map<number, CharEntry>();
  /** Class of each ASCII code point (WORD / PUNCT / SPACE, or -1 when removed) and its normalized form. */
  private readonly asciiClass = new Int8Array(128);
  private readonly asciiChar: string[] = [];

  constructor(readonly options: ResolvedNormalizerOptions) {
    for (let cp = 0; cp < 128; cp++) {
      const entry = this.computeEntry(cp);
      this.asciiClass[cp] = entry.chars.length === 1 ? (entry.classes[0] ?? -1) : -1;
      this.asciiChar.push(entry.chars[0] ?? '');
    }
  }

  /** Appends the words of `text.slice(from, to)` to `out` (offsets stay relative to `text`). */
  split(text: string, from: number, to: number, out: PreTokens): void {
    const isolateCjk = this.options.tokenizeChineseChars;
    let word = '';
    let wordBase = 0;
    for (let i = from; i < to; ) {
      let cp = text.charCodeAt(i);
      let end = i + 1;
      if (cp >= 0xd800 && cp <= 0xdbff && end < to) {
        const low = text.charCodeAt(end);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          end++;
        }
      }
      if (cp < 128) {
        const cls = this.asciiClass[cp];
        if (cls === WORD) {
          if (word === '') wordBase = out.size;
          word += this.asciiChar[cp];
          out.pushUnits(1, i, end);
        } else if (cls === PUNCT) {
          if (word !== '') word = flush(out, word, wordBase);
          out.words.push(text[i] ?? '');
          out.bases.push(out.size);
          out.pushUnits(1, i, end);
        } else if (cls === SPACE && word !== '') {
          word = flush(out, word, wordBase);
        }
      } else if (isolateCjk && ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf))) {
        // Fast path: these ideographs have no decomposition and no case, so they are their own word.
        if (word !== '') word = flush(out, word, wordBase);
        out.words.push(text.slice(i, end));
        out.bases.push(out.size);
        out.pushUnits(end - i, i, end);
      } else {
        const entry = this.entry(cp);
        for (let k = 0; k < entry.chars.length; k++) {
          const ch = entry.chars[k] ?? '';
          const cls = entry.classes[k];
          if (cls === WORD) {
            if (word === '') wordBase = out.size;
            word += ch;
            out.pushUnits(ch.length, i, end);
          } else {
            if (word !== '') word = flush(out, word, wordBase);
            if (cls === PUNCT) {
              out.words.push(ch);
              out.bases.push(out.size);
              out.pushUnits(ch.length, i, end);
            }
          }
        }
      }
      i = end;
    }
    if (word !== '') flush(out, word, wordBase);
  }

  /**
   * The normalized text alone (no offsets), as Hugging Face's `BertNormalizer` would return it.
   *
   * @example
   * ```ts
   * new BasicTokenizer(resolveNormalizerOptions()).normalize('ÀΣ中'); // 'aσ 中 '
   * ```
   */
  normalize(text: string): string {
    let result = '';
    for (const ch of text) result += this.entry(ch.codePointAt(0) ?? 0).chars.join('');
    return result;
  }

  private entry(cp: number): CharEntry {
    let entry = this.cache.get(cp);
    if (entry === undefined) {
      entry = this.computeEntry(cp);
      this.cache.set(cp, entry);
    }
    return entry;
  }

  private computeEntry(codePoint: number): CharEntry {
    // A lone surrogate reaches the Rust library as U+FFFD (UTF-8 conversion), so treat it so here.
    const cp = codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint;
    let s = String.fromCodePoint(cp);
    const { cleanText, tokenizeChineseChars, stripAccents, doLowerCase } = this.options;
    if (cleanText) {
      const keep = cp === 9 || cp === 10 || cp === 13;
      if (cp === 0 || cp === 0xfffd || (!keep && CONTROL_SET.has(cp))) return REMOVED;
      if (keep || WHITESPACE.test(s)) s = ' ';
    }
    if (tokenizeChineseChars && isChineseChar(cp)) s = ` ${s} `;
    if (stripAccents) s = stripAccentsOf(s);
    const chars = [...s].map((ch) => (doLowerCase ? ch.toLowerCase() : ch)).flatMap((ch) => [...ch]);
    return { chars, classes: chars.map(classify) };
  }
}

function flush(out: PreTokens, word: string, base: number): string {
  out.words.push(word);
  out.bases.push(base);
  return '';
}
