/**
 * BERT WordPiece tokenization, id-for-id and offset-for-offset equal to Hugging Face's Rust
 * `tokenizers` (`BertTokenizerFast`). Start with `BertTokenizer.fromPretrained(dir)`.
 *
 * @example
 * ```ts
 * import { BertTokenizer } from './framework/tokenizer/index.js';
 * const tok = await BertTokenizer.fromPretrained('models/vocab/bert-base-chinese');
 * tok.encode('这部电影很[MASK]。').inputIds; // [101, 6821, 6956, 4510, 2512, 2523, 103, 511, 102]
 * ```
 */
export { BertTokenizer } from './bert.js';
export {
  resolveNormalizerOptions,
  type BatchEncodeOptions,
  type BertNormalizerOptions,
  type EncodeOptions,
  type Encoding,
  type PaddingStrategy,
  type ResolvedNormalizerOptions,
  type TruncationStrategy,
} from './base.js';
export { DEFAULT_SPECIALS, type BertTokenizerSpec, type SpecialTokens } from './hf-format.js';
