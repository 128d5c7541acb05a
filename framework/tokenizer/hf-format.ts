/**
 * Reading and writing the Hugging Face file layout of a BERT tokenizer: `vocab.txt` (one token a
 * line, id = line number), `tokenizer_config.json` (`do_lower_case`, `strip_accents`,
 * `tokenize_chinese_chars`, special-token names) and `tokenizer.json` (the Rust library's format,
 * which this module builds in memory from the other two, as `BertTokenizerFast` does).
 */
import { TokenizerError } from '../errors.js';
import type { BertNormalizerOptions, ResolvedNormalizerOptions } from './base.js';

/** Names of the five special tokens a BERT tokenizer needs. */
export interface SpecialTokens {
  cls: string;
  sep: string;
  mask: string;
  pad: string;
  unk: string;
}

/** Everything a `BertTokenizer` is made of, independent of the files it came from. */
export interface BertTokenizerSpec {
  vocab: string[];
  normalizer: ResolvedNormalizerOptions;
  specials: SpecialTokens;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  /** `model_max_length` from `tokenizer_config.json`, when given. */
  modelMaxLength?: number;
}

/** The BERT special-token names of Google's vocabularies. */
export const DEFAULT_SPECIALS: SpecialTokens = {
  cls: '[CLS]',
  sep: '[SEP]',
  mask: '[MASK]',
  pad: '[PAD]',
  unk: '[UNK]',
};

/**
 * Splits `vocab.txt` text into tokens; the line number is the id. Trailing whitespace of each
 * line is dropped, as the Rust and Python loaders do.
 *
 * @example
 * ```ts
 * readVocabText('[PAD]\n[UNK]\n我\n'); // ['[PAD]', '[UNK]', '我']
 * ```
 */
export function readVocabText(text: string): string[] {
  const lines = text.split('\n').map((line) => line.trimEnd());
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalBoolean(json: Json, key: string, file: string): boolean | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new TokenizerError(`${file}: '${key}' must be a boolean or null, got ${JSON.stringify(value)}`);
  return value;
}

/** A special token in `tokenizer_config.json` is a string or an `AddedToken` object with `content`. */
function tokenName(json: Json, key: string, fallback: string, file: string): string {
  const value = json[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.content === 'string') return value.content;
  throw new TokenizerError(`${file}: '${key}' must be a string or {content: string}, got ${JSON.stringify(value)}`);
}

/**
 * Reads the options of a parsed `tokenizer_config.json`.
 *
 * @example
 * ```ts
 * parseTokenizerConfig({ do_lower_case: false, model_max_length: 512 }, 'tokenizer_config.json');
 * // { options: { doLowerCase: false }, specials: DEFAULT_SPECIALS, modelMaxLength: 512 }
 * ```
 */
export function parseTokenizerConfig(
  json: unknown,
  file: string,
): {
  options: BertNormalizerOptions;
  specials: SpecialTokens;
  modelMaxLength?: number;
} {
  if (!isObject(json)) throw new TokenizerError(`${file}: expected a JSON object, got ${JSON.stringify(json)}`);
  const options: BertNormalizerOptions = {};
  const doLowerCase = optionalBoolean(json, 'do_lower_case', file);
  const stripAccents = optionalBoolean(json, 'strip_accents', file);
  const tokenizeChineseChars = optionalBoolean(json, 'tokenize_chinese_chars', file);
  if (doLowerCase !== undefined) options.doLowerCase = doLowerCase;
  if (stripAccents !== undefined) options.stripAccents = stripAccents;
  if (tokenizeChineseChars !== undefined) options.tokenizeChineseChars = tokenizeChineseChars;
  const specials: SpecialTokens = {
    cls: tokenName(json, 'cls_token', DEFAULT_SPECIALS.cls, file),
    sep: tokenName(json, 'sep_token', DEFAULT_SPECIALS.sep, file),
    mask: tokenName(json, 'mask_token', DEFAULT_SPECIALS.mask, file),
    pad: tokenName(json, 'pad_token', DEFAULT_SPECIALS.pad, file),
    unk: tokenName(json, 'unk_token', DEFAULT_SPECIALS.unk, file),
  };
  const max = json.model_max_length;
  // Hugging Face writes a huge sentinel (1e30) when a model has no limit; keep only real limits.
  const modelMaxLength = typeof max === 'number' && Number.isSafeInteger(max) ? max : undefined;
  return modelMaxLength === undefined ? { options, specials } : { options, specials, modelMaxLength };
}

/**
 * Writes `tokenizer_config.json` for a spec, in the keys `BertTokenizer(Fast)` reads.
 *
 * @example
 * ```ts
 * buildTokenizerConfig(spec); // { tokenizer_class: 'BertTokenizer', do_lower_case: true, ... }
 * ```
 */
export function buildTokenizerConfig(spec: BertTokenizerSpec): Json {
  const config: Json = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: spec.normalizer.doLowerCase,
    strip_accents: spec.normalizer.stripAccents,
    tokenize_chinese_chars: spec.normalizer.tokenizeChineseChars,
    cls_token: spec.specials.cls,
    sep_token: spec.specials.sep,
    mask_token: spec.specials.mask,
    pad_token: spec.specials.pad,
    unk_token: spec.specials.unk,
  };
  if (spec.modelMaxLength !== undefined) config.model_max_length = spec.modelMaxLength;
  return config;
}

/**
 * Builds the Rust library's `tokenizer.json` for a BERT WordPiece vocabulary, the same document
 * `BertTokenizerFast` saves (BertNormalizer, BertPreTokenizer, WordPiece, `[CLS] A [SEP] B [SEP]`).
 *
 * @example
 * ```ts
 * const json = buildTokenizerJson(readVocabText(text), resolveNormalizerOptions());
 * json.model; // { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', ... }
 * ```
 */
export function buildTokenizerJson(
  vocab: readonly string[],
  normalizer: ResolvedNormalizerOptions,
  specials: SpecialTokens = DEFAULT_SPECIALS,
  continuingSubwordPrefix = '##',
  maxInputCharsPerWord = 100,
): Json {
  const ids: Record<string, number> = {};
  vocab.forEach((token, id) => {
    ids[token] = id;
  });
  const idOf = (token: string): number => {
    const id = ids[token];
    if (id === undefined) throw new TokenizerError(`special token '${token}' is not in the vocabulary`);
    return id;
  };
  const order = [specials.pad, specials.unk, specials.cls, specials.sep, specials.mask].sort(
    (a, b) => idOf(a) - idOf(b),
  );
  const segment = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const special = (token: string, typeId: number) => ({ SpecialToken: { id: token, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: order.map((token) => ({
      id: idOf(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: normalizer.cleanText,
      handle_chinese_chars: normalizer.tokenizeChineseChars,
      strip_accents: normalizer.stripAccents,
      lowercase: normalizer.doLowerCase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(specials.cls, 0), segment('A', 0), special(specials.sep, 0)],
      pair: [
        special(specials.cls, 0),
        segment('A', 0),
        special(specials.sep, 0),
        segment('B', 1),
        special(specials.sep, 1),
      ],
      special_tokens: Object.fromEntries(
        [specials.cls, specials.sep].map((token) => [token, { id: token, ids: [idOf(token)], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: continuingSubwordPrefix, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: specials.unk,
      continuing_subword_prefix: continuingSubwordPrefix,
      max_input_chars_per_word: maxInputCharsPerWord,
      vocab: ids,
    },
  };
}

/**
 * Reads a parsed `tokenizer.json`. Only the BERT layout is accepted (WordPiece model, optional
 * BertNormalizer and BertPreTokenizer); anything else is a `TokenizerError` naming the field.
 *
 * @example
 * ```ts
 * parseTokenizerJson(JSON.parse(readFileSync('tokenizer.json', 'utf8')), 'tokenizer.json', DEFAULT_SPECIALS);
 * // { vocab: [...21128 tokens], normalizer: { doLowerCase: true, ... }, maxInputCharsPerWord: 100, ... }
 * ```
 */
export function parseTokenizerJson(json: unknown, file: string, specials: SpecialTokens): BertTokenizerSpec {
  if (!isObject(json)) throw new TokenizerError(`${file}: expected a JSON object`);
  const model = json.model;
  if (!isObject(model) || model.type !== 'WordPiece' || !isObject(model.vocab)) {
    throw new TokenizerError(
      `${file}: 'model' must be {type: 'WordPiece', vocab: {...}}, ` +
        `got type ${JSON.stringify(isObject(model) ? model.type : model)}`,
    );
  }
  const vocab: string[] = [];
  for (const [token, id] of Object.entries(model.vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
      throw new TokenizerError(
        `${file}: vocab id of '${token}' must be a non-negative integer, got ${JSON.stringify(id)}`,
      );
    vocab[id] = token;
  }
  for (let id = 0; id < vocab.length; id++) {
    if (vocab[id] === undefined)
      throw new TokenizerError(`${file}: vocab ids must be 0..${vocab.length - 1} without gaps; id ${id} is missing`);
  }
  const normalizerJson = json.normalizer;
  let options: BertNormalizerOptions = {
    doLowerCase: false,
    stripAccents: false,
    tokenizeChineseChars: false,
    cleanText: false,
  };
  if (isObject(normalizerJson)) {
    if (normalizerJson.type !== 'BertNormalizer')
      throw new TokenizerError(
        `${file}: 'normalizer.type' must be 'BertNormalizer', got ${JSON.stringify(normalizerJson.type)}`,
      );
    const lowercase = optionalBoolean(normalizerJson, 'lowercase', file) ?? true;
    options = {
      doLowerCase: lowercase,
      stripAccents: optionalBoolean(normalizerJson, 'strip_accents', file) ?? lowercase,
      tokenizeChineseChars: optionalBoolean(normalizerJson, 'handle_chinese_chars', file) ?? true,
      cleanText: optionalBoolean(normalizerJson, 'clean_text', file) ?? true,
    };
  } else if (normalizerJson !== null && normalizerJson !== undefined) {
    throw new TokenizerError(`${file}: 'normalizer' must be a BertNormalizer object or null`);
  }
  const pre = json.pre_tokenizer;
  if (!isObject(pre) || pre.type !== 'BertPreTokenizer') {
    throw new TokenizerError(
      `${file}: 'pre_tokenizer.type' must be 'BertPreTokenizer', got ${JSON.stringify(isObject(pre) ? pre.type : pre)}`,
    );
  }
  const unk = typeof model.unk_token === 'string' ? model.unk_token : specials.unk;
  return {
    vocab,
    normalizer: {
      doLowerCase: options.doLowerCase ?? false,
      stripAccents: options.stripAccents ?? false,
      tokenizeChineseChars: options.tokenizeChineseChars ?? false,
      cleanText: options.cleanText ?? false,
    },
    specials: { ...specials, unk },
    continuingSubwordPrefix:
      typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##',
    maxInputCharsPerWord: typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100,
  };
}
