/**
 * After WordPiece: truncation to a maximum length, `[CLS] A [SEP] (B [SEP])` assembly with type
 * ids, and padding of a batch. Truncation follows the Rust crate's `truncate_encodings` exactly
 * (including how `longest_first` shares the budget), so lengths agree with Hugging Face.
 */
import { TokenizerError } from '../errors.js';
import type { Encoding, PaddingStrategy, TruncationStrategy } from './base.js';

/** The tokens of one text before special tokens: ids and flattened `[start, end)` offsets. */
export interface Segment {
  ids: number[];
  offsets: number[];
}

function cut(segment: Segment, length: number): void {
  segment.ids.length = length;
  segment.offsets.length = 2 * length;
}

/**
 * Shortens `first` (and `second`) in place so that, with `specials` special tokens, at most
 * `maxLength` tokens remain. Errors (as in the Rust crate) when `only_second` has no pair, or when
 * the chosen segment is too short to remove enough.
 *
 * @example
 * ```ts
 * const a = { ids: [1, 2, 3, 4, 5], offsets: [0, 1, 1, 2, 2, 3, 3, 4, 4, 5] };
 * const b = { ids: [6, 7], offsets: [0, 1, 1, 2] };
 * truncate(a, b, 6, 'longest_first', 3); // 3 tokens left for text: a.ids = [1, 2], b.ids = [6]
 * ```
 */
export function truncate(
  first: Segment,
  second: Segment | undefined,
  maxLength: number,
  strategy: TruncationStrategy,
  specials: number,
): void {
  if (!Number.isInteger(maxLength) || maxLength < specials) {
    throw new TokenizerError(`maxLength must be an integer >= ${specials} (the special tokens), got ${maxLength}`);
  }
  const budget = maxLength - specials;
  const total = first.ids.length + (second?.ids.length ?? 0);
  if (total <= budget) return;
  const toRemove = total - budget;
  if (strategy === 'longest_first') {
    if (second === undefined) {
      cut(first, budget);
      return;
    }
    let n1 = first.ids.length;
    let n2 = second.ids.length;
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
    if (n1 + n2 > budget) {
      n1 = Math.floor(budget / 2);
      n2 = n1 + (budget % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    cut(first, Math.min(n1, first.ids.length));
    cut(second, Math.min(n2, second.ids.length));
    return;
  }
  const target = strategy === 'only_first' ? first : second;
  if (target === undefined) throw new TokenizerError(`truncation '${strategy}' needs a pair; got a single text`);
  if (target.ids.length <= toRemove) {
    throw new TokenizerError(
      `truncation '${strategy}' must remove ${toRemove} tokens to fit maxLength ${maxLength}, ` +
        `but that segment has only ${target.ids.length}; use 'longest_first'`,
    );
  }
  cut(target, target.ids.length - toRemove);
}

/** Ids and tokens of the special tokens used by `assemble`. */
export interface SpecialIds {
  clsId: number;
  sepId: number;
  cls: string;
  sep: string;
}

/**
 * Builds the final encoding: `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]` (type ids 0 then 1), or the
 * bare segments when `addSpecialTokens` is false.
 *
 * @example
 * ```ts
 * assemble({ ids: [2769], offsets: [0, 1] }, undefined, true, specials, vocab).inputIds; // [101, 2769, 102]
 * ```
 */
export function assemble(
  first: Segment,
  second: Segment | undefined,
  addSpecialTokens: boolean,
  specials: SpecialIds,
  vocab: readonly string[],
): Encoding {
  const extra = addSpecialTokens ? (second === undefined ? 2 : 3) : 0;
  const length = first.ids.length + (second?.ids.length ?? 0) + extra;
  const inputIds = new Array<number>(length);
  const tokenTypeIds = new Array<number>(length);
  const tokens = new Array<string>(length);
  const offsets = new Array<[number, number]>(length);
  let n = 0;
  const put = (id: number, type: number, start: number, end: number): void => {
    inputIds[n] = id;
    tokenTypeIds[n] = type;
    tokens[n] = vocab[id] ?? '';
    offsets[n] = [start, end];
    n++;
  };
  const putSegment = (segment: Segment, type: number): void => {
    const { ids, offsets: spans } = segment;
    for (let i = 0; i < ids.length; i++) put(ids[i] ?? 0, type, spans[2 * i] ?? 0, spans[2 * i + 1] ?? 0);
  };
  if (addSpecialTokens) put(specials.clsId, 0, 0, 0);
  putSegment(first, 0);
  if (addSpecialTokens) put(specials.sepId, 0, 0, 0);
  let pairStart = -1;
  if (second !== undefined) {
    pairStart = n;
    putSegment(second, 1);
    if (addSpecialTokens) put(specials.sepId, 1, 0, 0);
  }
  return { inputIds, tokenTypeIds, attentionMask: new Array<number>(length).fill(1), tokens, offsets, pairStart };
}

/**
 * Pads encodings in place on the right, to the longest one or to `maxLength`.
 *
 * @example
 * ```ts
 * pad(batch, 'longest', undefined, 0, '[PAD]'); // every row now as long as the longest
 * ```
 */
export function pad(
  encodings: Encoding[],
  padding: PaddingStrategy,
  maxLength: number | undefined,
  padId: number,
  padToken: string,
): void {
  let length: number;
  if (padding === 'max_length') {
    if (maxLength === undefined)
      throw new TokenizerError(`padding 'max_length' needs maxLength; use padding 'longest' or set maxLength`);
    length = maxLength;
  } else {
    length = Math.max(0, ...encodings.map((e) => e.inputIds.length));
  }
  for (const e of encodings) {
    const from = e.inputIds.length;
    if (from >= length) continue;
    e.inputIds.length = e.tokenTypeIds.length = e.attentionMask.length = e.tokens.length = e.offsets.length = length;
    e.inputIds.fill(padId, from);
    e.tokenTypeIds.fill(0, from);
    e.attentionMask.fill(0, from);
    e.tokens.fill(padToken, from);
    for (let i = from; i < length; i++) e.offsets[i] = [0, 0];
  }
}
