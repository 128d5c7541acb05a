/**
 * Shared types of the tokenizer folder: what an encoding holds, how to ask for one, and the
 * normalization switches of a BERT tokenizer (the `tokenizer_config.json` keys in camelCase).
 */

/** How to shorten an input that is longer than `maxLength` (Hugging Face `TruncationStrategy`). */
export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';

/** How `encodeBatch` pads: to the longest row of the batch, or to `maxLength`. */
export type PaddingStrategy = 'longest' | 'max_length';

/**
 * One encoded text or text pair. All arrays have one entry per token.
 *
 * `offsets` are `[start, end)` spans in UTF-16 code units of the string the token came from (the
 * text for segment A, the pair for segment B), so `text.slice(start, end)` gives the source of the
 * token; special and padding tokens get `[0, 0]`.
 *
 * @example
 * ```ts
 * tokenizer.encode('我爱ML', { pair: '好' });
 * // { inputIds: [101, 2769, 4263, 10215, 102, 1962, 102], tokenTypeIds: [0, 0, 0, 0, 0, 1, 1],
 * //   attentionMask: [1, 1, 1, 1, 1, 1, 1], tokens: ['[CLS]', '我', '爱', 'ml', '[SEP]', '好', '[SEP]'],
 * //   offsets: [[0, 0], [0, 1], [1, 2], [2, 4], [0, 0], [0, 1], [0, 0]], pairStart: 5 }
 * ```
 */
export interface Encoding {
  inputIds: number[];
  tokenTypeIds: number[];
  attentionMask: number[];
  tokens: string[];
  offsets: [number, number][];
  /** Index of the first token of the pair's second segment, or -1 when there is no pair. */
  pairStart: number;
}

/**
 * Options of `BertTokenizer.encode`. Truncation happens only when `maxLength` is set; it then
 * defaults to `'longest_first'`, and `maxLength` counts the special tokens too.
 *
 * @example
 * ```ts
 * tokenizer.encode('很长的前提……', { pair: '假设', maxLength: 128, truncation: 'only_first' });
 * ```
 */
export interface EncodeOptions {
  pair?: string;
  maxLength?: number;
  truncation?: TruncationStrategy;
  /** Add `[CLS]` / `[SEP]` (default true). */
  addSpecialTokens?: boolean;
}

/** Options of `BertTokenizer.encodeBatch`: those of `encode` (without `pair`) plus padding. */
export interface BatchEncodeOptions extends Omit<EncodeOptions, 'pair'> {
  padding?: PaddingStrategy;
}

/**
 * Normalization switches of a BERT tokenizer, as in Hugging Face's `BertNormalizer`.
 *
 * @example
 * ```ts
 * const cased: BertNormalizerOptions = { doLowerCase: false }; // accents kept too, like bert-base-cased
 * ```
 */
export interface BertNormalizerOptions {
  /** Lower-case the text (default true). */
  doLowerCase?: boolean;
  /** Remove accents (NFD, then drop non-spacing marks); default: follows `doLowerCase`. */
  stripAccents?: boolean;
  /** Put every CJK ideograph in a word of its own (default true). */
  tokenizeChineseChars?: boolean;
  /** Drop control characters and map every whitespace to a space (default true). */
  cleanText?: boolean;
}

/** `BertNormalizerOptions` with every default filled in. */
export interface ResolvedNormalizerOptions {
  doLowerCase: boolean;
  stripAccents: boolean;
  tokenizeChineseChars: boolean;
  cleanText: boolean;
}

/**
 * Fills in the defaults of `BertNormalizerOptions`.
 *
 * @example
 * ```ts
 * resolveNormalizerOptions({ doLowerCase: false });
 * // { doLowerCase: false, stripAccents: false, tokenizeChineseChars: true, cleanText: true }
 * ```
 */
export function resolveNormalizerOptions(options: BertNormalizerOptions = {}): ResolvedNormalizerOptions {
  const doLowerCase = options.doLowerCase ?? true;
  return {
    doLowerCase,
    stripAccents: options.stripAccents ?? doLowerCase,
    tokenizeChineseChars: options.tokenizeChineseChars ?? true,
    cleanText: options.cleanText ?? true,
  };
}
