/**
 * A character n-gram language model for spelling correction, in backoff form (the ARPA convention):
 *
 *     ln p(w | h) = ln p*(w | longest suffix of h seen with w) + Σ ln b(every longer suffix of h)
 *
 * The tables are a reversed trie: the n-gram `c1 c2 c3 w` is reached from the unigram `w` by adding
 * c3, then c2, then c1, so one walk from the predicted character finds the longest match, and one
 * walk from the nearest context character collects the backoffs. Levels are sorted by (suffix, added
 * character), so a node's children are one contiguous, sorted range (a binary search).
 * Estimation: kneser-ney.ts; file format: ngram-format.ts.
 */
import { ConfigError } from '../../../framework/errors.js';

/** Sentence start: only ever a context, never predicted. */
export const BOS = 0;
/** Sentence end. */
export const EOS = 1;
/** Any character outside the vocabulary. */
export const UNK = 2;
/** Tokens 0, 1, 2 of every vocabulary. */
export const SPECIAL_TOKENS: readonly string[] = ['<s>', '</s>', '<unk>'];

/**
 * Values of a level, one per n-gram: `book[codes[i]]` (8-bit codes into a 256-entry codebook, above the
 * unigrams), or `book[i]` when there are no codes (the unigrams).
 */
export interface Coded {
  readonly book: Float32Array;
  readonly codes?: Uint8Array;
}

/**
 * Value i of a {@link Coded} array.
 * @example codedValue({ book: Float32Array.of(-2, -1), codes: Uint8Array.of(1, 0) }, 0) // → -1
 */
export function codedValue(c: Coded, i: number): number {
  return c.codes ? c.book[c.codes[i]!]! : c.book[i]!;
}

/** Number of values of a {@link Coded} array. */
export function codedLength(c: Coded): number {
  return c.codes ? c.codes.length : c.book.length;
}

/** One order of the model (level k holds the (k+1)-grams). */
export interface NgramLevel {
  /** The token each n-gram adds on the left of its suffix; level 0: the token itself (0..V−1). */
  readonly ids: Uint16Array;
  /** ln p(last token | the others) of each n-gram. */
  readonly logProb: Coded;
  /** ln backoff of each n-gram used as a context; absent at the highest order. */
  readonly logBackoff?: Coded;
  /** Children of n-gram i in the next level are `first[i] .. first[i+1]`; absent at the highest order. */
  readonly first?: Uint32Array;
}

/** A whole model: the vocabulary (specials first) and one level per order. */
export interface NgramTables {
  readonly vocab: readonly string[];
  readonly levels: readonly NgramLevel[];
}

const HALF_TO_FULL: Readonly<Record<string, string>> = {
  ',': '，',
  '!': '！',
  '?': '？',
  ';': '；',
  ':': '：',
  '(': '（',
  ')': '）',
};

/**
 * The model's alphabet: what a character is counted as, at build time and at query time alike. ASCII
 * and full-width digits become `0` and Latin letters `a` (a number or a name predicts its neighbours
 * by its kind, not by its spelling); half-width ,!?;:() become their full-width forms, as Chinese text
 * mostly writes them; tabs, line breaks and the ideographic and no-break spaces become a space.
 * @example [...'Ａ1,好'].map(lmChar).join('') // → 'a0，好'
 */
export function lmChar(ch: string): string {
  let cp = ch.codePointAt(0) ?? 0;
  if (cp >= 0xff10 && cp <= 0xff5a) cp -= 0xfee0;
  if (cp >= 48 && cp <= 57) return '0';
  if ((cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122)) return 'a';
  if (cp === 32 || (cp >= 9 && cp <= 13) || cp === 0x3000 || cp === 0xa0) return ' ';
  return HALF_TO_FULL[ch] ?? ch;
}

/** One text scored by a model: its tokens and p of each position (linear; index 0, the start, gets 1). */
export interface ScoredText {
  readonly tokens: Int32Array;
  readonly prob: Float64Array;
}

/**
 * What the decision rule needs of a character language model: token ids, p of every position of a text,
 * and how p(text) changes when one character is replaced.
 */
export abstract class CharLm {
  /** Highest order: a replacement at t changes p of positions t .. t + order − 1. */
  abstract readonly order: number;
  /** The token of one character ({@link UNK} when the model does not know it). */
  abstract id(ch: string): number;
  /** Scores every position of `tokens` (`<s> … </s>`); the tokens are kept, not copied. */
  abstract score(tokens: Int32Array): ScoredText;
  /**
   * p(text with tokens[t] replaced by `token`) / p(text), from positions t .. t + order − 1 only; `scored` is
   * left as it was. With `floor`, 0 as soon as ln of the ratio is sure to stay below it: no position can gain
   * more than −ln of its own p, so the rest of the window is not looked up.
   */
  abstract ratio(scored: ScoredText, t: number, token: number, floor?: number): number;

  /** One token per code point of `text`, between {@link BOS} and {@link EOS}. */
  encode(text: string): Int32Array {
    const chars = Array.from(text);
    const out = new Int32Array(chars.length + 2);
    out[0] = BOS;
    chars.forEach((c, i) => {
      out[i + 1] = this.id(c);
    });
    out[chars.length + 1] = EOS;
    return out;
  }

  /** ln p(tokens[j] | up to order − 1 tokens before it); j ≥ 1. */
  logProb(tokens: ArrayLike<number>, j: number): number {
    return Math.log(this.score(Int32Array.from(tokens)).prob[j]!);
  }

  /** Total ln p of a text (its end included). */
  sentenceLogProb(text: string): number {
    let sum = 0;
    for (const p of this.score(this.encode(text)).prob) sum += Math.log(p);
    return sum;
  }
}

/** {@link NgramLm}'s scores, plus the trie nodes of the n-grams ending at each position. */
interface NgramScored extends ScoredText {
  /** Stride `order`: nodes[j·order + L − 1] is the node of tokens[j − L + 1 .. j]; the last slot counts them. */
  readonly nodes: Int32Array;
}

/**
 * A loaded model.
 * @example
 * const lm = readNgramLm(readFileSync('models/taskflow/text-correction/lm.bin'), 'lm.bin');
 * const t = lm.encode('我朋友');   // → Int32Array [BOS, id(我), id(朋), id(友), EOS]
 * lm.logProb(t, 3);               // → ln p(友 | <s> 我 朋), e.g. −0.4
 */
export class NgramLm extends CharLm {
  readonly order: number;
  private readonly index = new Map<string, number>();
  /** Codebooks of p and backoff per level, linear (the tables hold logs): the rule multiplies them. */
  private readonly prob: Float32Array[];
  private readonly backoff: Float32Array[];
  private readonly probCodes: Uint8Array[];
  private readonly backoffCodes: Uint8Array[];
  /** The levels' `first` and `ids`, one array each: a monomorphic read in the innermost loop. */
  private readonly first: Uint32Array[];
  private readonly ids: Uint16Array[];
  private readonly window: Int32Array;
  /** The open window ({@link beginWindow}): the tokens, the replaced one, its place, the next position, the
   * previous position's nodes. */
  private readonly cursor: { tokens: Int32Array; was: number; t: number; j: number; ctx: Int32Array; ctxAt: number } = {
    tokens: new Int32Array(0),
    was: 0,
    t: 0,
    j: 0,
    ctx: new Int32Array(0),
    ctxAt: 0,
  };
  constructor(readonly tables: NgramTables) {
    super();
    this.order = tables.levels.length;
    const v = tables.vocab.length;
    if (this.order < 1) throw new ConfigError('an n-gram model needs at least one level');
    if (v > 0xffff) throw new ConfigError(`an n-gram vocabulary holds at most 65,535 tokens, got ${v}`);
    SPECIAL_TOKENS.forEach((t, i) => {
      if (tables.vocab[i] !== t)
        throw new ConfigError(`n-gram vocabulary entry ${i} must be ${t}, got ${String(tables.vocab[i])}`);
    });
    if (codedLength(tables.levels[0]!.logProb) !== v || tables.levels[0]!.logProb.codes)
      throw new ConfigError(`unigram level must hold one plain value per token (${v})`);
    tables.levels.slice(1).forEach((l, k) => {
      if (!l.logProb.codes || (l.logBackoff && !l.logBackoff.codes))
        throw new ConfigError(`level ${k + 2} must hold 8-bit codes`);
    });
    tables.vocab.forEach((t, i) => {
      if (i >= SPECIAL_TOKENS.length) this.index.set(t, i);
    });
    // Codebooks turned linear once (256 values a level; V for the unigrams); the codes stay as they are.
    this.prob = tables.levels.map((l) => l.logProb.book.map(Math.exp));
    this.backoff = tables.levels.map((l) => (l.logBackoff?.book ?? new Float32Array(0)).map(Math.exp));
    this.probCodes = tables.levels.map((l) => l.logProb.codes ?? new Uint8Array(0));
    this.backoffCodes = tables.levels.map((l) => l.logBackoff?.codes ?? new Uint8Array(0));
    this.first = tables.levels.map((l) => l.first ?? new Uint32Array(0));
    this.ids = tables.levels.map((l) => l.ids);
    this.window = new Int32Array(2 * this.order);
  }

  /** Vocabulary size (specials included). */
  get vocabSize(): number {
    return this.tables.vocab.length;
  }

  /** N-grams per order. */
  get counts(): number[] {
    return this.tables.levels.map((l) => codedLength(l.logProb));
  }

  id(ch: string): number {
    let id = this.index.get(ch);
    if (id === undefined) this.index.set(ch, (id = this.index.get(lmChar(ch)) ?? UNK)); // the raw form, remembered
    return id;
  }

  score(tokens: Int32Array): NgramScored {
    const o = this.order;
    const prob = new Float64Array(tokens.length);
    const nodes = new Int32Array(tokens.length * o);
    prob[0] = 1;
    nodes[0] = tokens[0]!; // the start: one n-gram, the token itself
    nodes[o - 1] = 1;
    for (let j = 1; j < tokens.length; j++) prob[j] = this.probAt(tokens, j, nodes, (j - 1) * o, nodes, j * o);
    return { tokens, prob, nodes };
  }

  /**
   * Starts the window of a replacement: tokens[t] is `token` until {@link endWindow}; {@link nextProb} gives p
   * of positions t, t + 1, … in turn. Returns the window's length. One window at a time per model.
   */
  beginWindow(scored: ScoredText, t: number, token: number): number {
    const { tokens, nodes } = scored as NgramScored;
    const w = this.cursor;
    w.tokens = tokens;
    w.was = tokens[t]!;
    tokens[t] = token;
    w.t = t;
    w.j = t;
    w.ctx = nodes;
    w.ctxAt = (t - 1) * this.order;
    return Math.min(t + this.order - 1, tokens.length - 1) - t + 1;
  }

  /** p of the window's next position. */
  nextProb(): number {
    const w = this.cursor;
    const outAt = ((w.j - w.t) % 2) * this.order; // two slots in turn: this position's nodes, the previous one's
    const p = this.probAt(w.tokens, w.j++, w.ctx, w.ctxAt, this.window, outAt);
    w.ctx = this.window;
    w.ctxAt = outAt;
    return p;
  }

  /** Puts the replaced token back. */
  endWindow(): void {
    this.cursor.tokens[this.cursor.t] = this.cursor.was;
  }

  ratio(scored: ScoredText, t: number, token: number, floor = -Infinity): number {
    const { prob } = scored;
    const n = this.beginWindow(scored, t, token);
    const limit = Math.exp(floor);
    let r = 1;
    for (let k = 0; k < n; k++) {
      if (limit > 0 && cannotReach(r, prob, t + k, t + n, limit)) {
        r = 0;
        break;
      }
      r *= this.nextProb() / prob[t + k]!;
    }
    this.endWindow();
    return r;
  }

  /**
   * p(tokens[j] | …) in backoff form. `ctx[ctxAt + L − 1]` is the node of the L tokens before j (as many as
   * `ctx[ctxAt + order − 1]` says: a longer context is not in the model, so no longer n-gram is either); the
   * nodes of the n-grams ending at j go to `out` in the same layout.
   */
  private probAt(tokens: Int32Array, j: number, ctx: Int32Array, ctxAt: number, out: Int32Array, outAt: number) {
    const o = this.order;
    const w = tokens[j]!;
    let node = w;
    let p = this.prob[0]![w]!;
    let matched = 1;
    out[outAt] = w;
    const known = Math.min(o - 1, j, ctx[ctxAt + o - 1]!);
    for (let k = 1; k <= known; k++) {
      const c = this.child(k - 1, node, tokens[j - k]!);
      if (c < 0) break;
      node = c;
      p = this.prob[k]![this.probCodes[k]![c]!]!;
      matched = k + 1;
      if (k < o - 1) out[outAt + k] = c;
    }
    out[outAt + o - 1] = Math.min(matched, o - 1);
    // Backoffs of every known context longer than the one matched.
    for (let len = matched; len <= known; len++) {
      const node = ctx[ctxAt + len - 1]!;
      p *= len === 1 ? this.backoff[0]![node]! : this.backoff[len - 1]![this.backoffCodes[len - 1]![node]!]!;
    }
    return p;
  }

  /** Index of `parent`'s child `id` in level `level + 1`, or −1. */
  private child(level: number, parent: number, id: number): number {
    const first = this.first[level]!;
    const ids = this.ids[level + 1]!;
    let lo = first[parent]!;
    let hi = first[parent + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid]!;
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** Whether `r` times the most positions from..to − 1 could still gain (1 / their own p) stays under `limit`. */
export function cannotReach(r: number, prob: Float64Array, from: number, to: number, limit: number): boolean {
  let u = r;
  for (let m = from; m < to; m++) u /= prob[m]!;
  return u < limit;
}
