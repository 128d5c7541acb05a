/**
 * Corpus clean-up: normalisation, length filters and exact de-duplication, with counts of what each
 * step removed so a run can report them.
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';

/**
 * - `light` (default): full-width ASCII letters/digits/space → half-width, control characters and BOMs
 *   removed, whitespace runs collapsed. Chinese punctuation (，。！？：) is kept as is, because
 *   downstream texts (FewCLUE) are tokenised without normalisation and use it.
 * - `nfkc`: Unicode NFKC, which also turns ，。 into ,. — it shifts the token distribution away from
 *   downstream text, so use it only for a corpus tokenised the same way later.
 * - `none`: text as read.
 */
export const NORMALIZATIONS = ['light', 'nfkc', 'none'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

export interface CleanOptions {
  normalization?: Normalization;
  /** Documents shorter than this (in code points, after normalisation) are dropped. Default 5. */
  minChars?: number;
  /** Longer documents are dropped (usually noise such as tables). Default 100 000. */
  maxChars?: number;
  /** Drop exact duplicates (after normalisation). Default true. */
  dedupe?: boolean;
  /** Literal strings removed before anything else (e.g. FewCLUE CHID's `#idiom#` blank). */
  remove?: string[];
}

/** What the cleaner saw and dropped. */
export interface CleanCounts {
  read: number;
  empty: number;
  tooShort: number;
  tooLong: number;
  duplicates: number;
  /** Documents equal (after normalisation) to a text of {@link Cleaner.exclude}: evaluation texts, never trained on. */
  contaminated: number;
  kept: number;
  /** Code points in kept documents. */
  keptChars: number;
}

/**
 * Light normalisation (see {@link NORMALIZATIONS}).
 * @example normalizeLight('\ufeffＡＢＣ１２３，好\u0000  吗') // → 'ABC123，好 吗'
 */
export function normalizeLight(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xff01 && cp <= 0xff5e && isAsciiAlnum(cp - 0xfee0)) out += String.fromCodePoint(cp - 0xfee0);
    else if (cp === 0x3000) out += ' ';
    else if (
      cp === 0xfeff ||
      cp === 0xfffd ||
      (cp < 32 && cp !== 9 && cp !== 10 && cp !== 13) ||
      (cp >= 0x7f && cp <= 0x9f) ||
      (cp >= 0x200b && cp <= 0x200f)
    )
      continue;
    else out += ch;
  }
  return out.replace(/\s+/g, ' ').trim();
}

function isAsciiAlnum(cp: number): boolean {
  return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
}

/**
 * Normalises, filters and de-duplicates documents one at a time, keeping counts.
 * @example
 * const cleaner = new Cleaner({ minChars: 2 });
 * ['好吃', '好吃', 'x', 'ＯＫ了'].map((t) => cleaner.clean(t)); // → ['好吃', undefined, undefined, 'OK了']
 * cleaner.counts;
 * // → { read: 4, empty: 0, tooShort: 1, tooLong: 0, duplicates: 1, contaminated: 0, kept: 2, keptChars: 5 }
 */
export class Cleaner {
  readonly counts: CleanCounts = {
    read: 0,
    empty: 0,
    tooShort: 0,
    tooLong: 0,
    duplicates: 0,
    contaminated: 0,
    kept: 0,
    keptChars: 0,
  };
  readonly options: Required<CleanOptions>;
  private readonly seen = new Set<string>();
  private readonly excluded = new Set<string>();

  constructor(options: CleanOptions = {}) {
    this.options = {
      normalization: options.normalization ?? 'light',
      minChars: options.minChars ?? 5,
      maxChars: options.maxChars ?? 100_000,
      dedupe: options.dedupe ?? true,
      remove: options.remove ?? [],
    };
    if (!(NORMALIZATIONS as readonly string[]).includes(this.options.normalization)) {
      throw new ConfigError(
        `normalization '${this.options.normalization}' unknown; expected one of ${NORMALIZATIONS.join(', ')}`,
      );
    }
    if (!(this.options.minChars >= 0) || !(this.options.maxChars >= this.options.minChars)) {
      throw new ConfigError(`need 0 ≤ minChars ≤ maxChars, got ${this.options.minChars} and ${this.options.maxChars}`);
    }
  }

  /** The normalised text. */
  normalize(text: string): string {
    let t = text;
    for (const r of this.options.remove) if (r !== '') t = t.split(r).join('');
    switch (this.options.normalization) {
      case 'light':
        return normalizeLight(t);
      case 'nfkc':
        return normalizeLight(t.normalize('NFKC'));
      case 'none':
        return t;
    }
  }

  /**
   * Texts never to keep (decontamination: FewCLUE's test texts, which its `unlabeled.json` files partly repeat),
   * compared after the same normalisation. Returns how many distinct texts are now excluded.
   */
  exclude(texts: Iterable<string>): number {
    for (const text of texts) {
      const t = this.normalize(text);
      if (t !== '') this.excluded.add(contentKey(t));
    }
    return this.excluded.size;
  }

  /** The cleaned document, or undefined when it is dropped (and counted). */
  clean(text: string): string | undefined {
    this.counts.read++;
    const t = this.normalize(text);
    if (t === '') {
      this.counts.empty++;
      return undefined;
    }
    if (this.excluded.size > 0 && this.excluded.has(contentKey(t))) {
      this.counts.contaminated++;
      return undefined;
    }
    const length = codePointLength(t, this.options.maxChars);
    if (length < this.options.minChars) {
      this.counts.tooShort++;
      return undefined;
    }
    if (length > this.options.maxChars) {
      this.counts.tooLong++;
      return undefined;
    }
    if (this.options.dedupe) {
      const key = contentKey(t);
      if (this.seen.has(key)) {
        this.counts.duplicates++;
        return undefined;
      }
      this.seen.add(key);
    }
    this.counts.kept++;
    this.counts.keptChars += length;
    return t;
  }
}

function contentKey(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** Code points in `s`, counting no further than `limit + 1`. */
function codePointLength(s: string, limit: number): number {
  let n = 0;
  for (let i = 0; i < s.length && n <= limit; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/**
 * A stable 32-bit hash of a string (FNV-1a over UTF-16 units), used to put 1% of documents in the held-out set.
 * @example fnv1a('好吃') % 100 // → the same bucket on every run
 */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
