/**
 * `BertTokenizer`: BERT WordPiece tokenization with the same ids, type ids and offsets as Hugging
 * Face's `BertTokenizerFast` (Rust `tokenizers`), synchronous once loaded.
 *
 * The pipeline is this folder's own (`basic-tokenizer.ts` → `wordpiece.ts` → `post-process.ts`):
 * `@huggingface/tokenizers` 0.2 has no offsets and no truncation, lower-cases Greek capital sigma
 * by context (`ΑΣ` → `ας`, Rust gives `ασ`) and uses JavaScript's Unicode tables, which differ from the
 * crate's; `bench/results/tokenizer.md` also shows it slower. Parity with the Rust crate is tested
 * in `bert.test.ts` (FewCLUE fixture) and `basic-tokenizer.test.ts` (every code point).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenizerError } from '../errors.js';
import {
  resolveNormalizerOptions,
  type BatchEncodeOptions,
  type BertNormalizerOptions,
  type EncodeOptions,
  type Encoding,
  type TruncationStrategy,
} from './base.js';
import { BasicTokenizer, PreTokens } from './basic-tokenizer.js';
import {
  buildTokenizerConfig,
  buildTokenizerJson,
  DEFAULT_SPECIALS,
  parseTokenizerConfig,
  parseTokenizerJson,
  readVocabText,
  type BertTokenizerSpec,
  type SpecialTokens,
} from './hf-format.js';
import { assemble, pad, truncate, type Segment, type SpecialIds } from './post-process.js';
import { WordPiece } from './wordpiece.js';

const TRUNCATIONS: readonly TruncationStrategy[] = ['longest_first', 'only_first', 'only_second'];

/** Rust `WordPieceDecoder` clean-up: glue punctuation and English contractions back on. */
const CLEANUP: readonly [string, string][] = [
  [' .', '.'],
  [' ?', '?'],
  [' !', '!'],
  [' ,', ','],
  [" ' ", "'"],
  [" n't", "n't"],
  [" 'm", "'m"],
  [' do not', " don't"],
  [" 's", "'s"],
  [" 've", "'ve"],
  [" 're", "'re"],
];

/**
 * A BERT WordPiece tokenizer.
 *
 * @example
 * ```ts
 * const tok = await BertTokenizer.fromPretrained('models/vocab/bert-base-chinese');
 * tok.encode('这部电影很[MASK]！').tokens; // ['[CLS]', '这', '部', '电', '影', '很', '[MASK]', '！', '[SEP]']
 * tok.encode('天气', { pair: 'Nice!' }).tokenTypeIds; // [0, 0, 0, 0, 1, 1, 1]
 * ```
 */
export class BertTokenizer {
  readonly vocabSize: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly maskId: number;
  readonly padId: number;
  readonly unkId: number;
  private readonly vocab = new Map<string, number>();
  private readonly basic: BasicTokenizer;
  private readonly wordpiece: WordPiece;
  private readonly specialIds: SpecialIds;
  private readonly specialSet: ReadonlySet<number>;
  /** Special-token strings matched verbatim in input text, longest first, and their first characters. */
  private readonly verbatim: readonly string[];
  private readonly verbatimStarts: readonly string[];
  private readonly pre = new PreTokens();
  /** Id of every one-unit token (BMP character), -1 for none: most Chinese words are one character. */
  private readonly charIds = new Int32Array(0x10000).fill(-1);

  /** @param source names the file(s) the spec came from, for error messages. */
  constructor(
    readonly spec: BertTokenizerSpec,
    source = 'vocabulary',
  ) {
    spec.vocab.forEach((token, id) => this.vocab.set(token, id));
    for (const [token, id] of this.vocab) if (token.length === 1) this.charIds[token.charCodeAt(0)] = id;
    const idOf = (token: string): number => {
      const id = this.vocab.get(token);
      if (id === undefined) {
        const names = Object.values(spec.specials).join(', ');
        throw new TokenizerError(`${source}: the vocabulary has no '${token}' token (a BERT tokenizer needs ${names})`);
      }
      return id;
    };
    const { cls, sep, mask, pad: padToken, unk } = spec.specials;
    this.clsId = idOf(cls);
    this.sepId = idOf(sep);
    this.maskId = idOf(mask);
    this.padId = idOf(padToken);
    this.unkId = idOf(unk);
    this.vocabSize = spec.vocab.length;
    this.basic = new BasicTokenizer(spec.normalizer);
    this.wordpiece = new WordPiece(this.vocab, this.unkId, spec.continuingSubwordPrefix, spec.maxInputCharsPerWord);
    this.specialIds = { clsId: this.clsId, sepId: this.sepId, cls, sep };
    this.specialSet = new Set([this.clsId, this.sepId, this.maskId, this.padId, this.unkId]);
    this.verbatim = [...new Set([cls, sep, mask, padToken, unk])].sort((a, b) => b.length - a.length);
    this.verbatimStarts = [...new Set(this.verbatim.map((token) => token[0] ?? ''))];
  }

  /**
   * Loads a `vocab.txt` (one token a line). Options default to the uncased, CJK-splitting BERT.
   *
   * @example
   * ```ts
   * const tok = BertTokenizer.fromVocabFile('models/vocab/bert-base-chinese/vocab.txt');
   * tok.vocabSize; // 21128
   * ```
   */
  static fromVocabFile(path: string, options: BertNormalizerOptions = {}): BertTokenizer {
    if (typeof path !== 'string')
      throw new TokenizerError(`fromVocabFile: 'path' must be a string, got ${typeof path}`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new TokenizerError(`cannot read vocabulary file '${path}': ${(error as Error).message}`);
    }
    return BertTokenizer.fromVocab(readVocabText(text), options, DEFAULT_SPECIALS, path);
  }

  /**
   * Builds a tokenizer from a token list (id = index), e.g. a tiny vocabulary in a test.
   *
   * @example
   * ```ts
   * const tok = BertTokenizer.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '好']);
   * tok.encode('好!').inputIds; // [2, 5, 1, 3]
   * ```
   */
  static fromVocab(
    vocab: readonly string[],
    options: BertNormalizerOptions = {},
    specials: SpecialTokens = DEFAULT_SPECIALS,
    source = 'vocabulary',
  ): BertTokenizer {
    const spec = {
      vocab: [...vocab],
      normalizer: resolveNormalizerOptions(options),
      specials,
      continuingSubwordPrefix: '##',
      maxInputCharsPerWord: 100,
    };
    return new BertTokenizer(spec, source);
  }

  /**
   * Loads a Hugging Face tokenizer folder: `tokenizer.json` when present, else `vocab.txt`; in both
   * cases `tokenizer_config.json` (optional) names the special tokens and `model_max_length`.
   *
   * @example
   * ```ts
   * const tok = await BertTokenizer.fromPretrained('models/vocab/bert-base-chinese');
   * tok.spec.normalizer; // { doLowerCase: true, stripAccents: true, tokenizeChineseChars: true, cleanText: true }
   * ```
   */
  static async fromPretrained(dir: string): Promise<BertTokenizer> {
    if (typeof dir !== 'string') throw new TokenizerError(`fromPretrained: 'dir' must be a string, got ${typeof dir}`);
    const readJson = async (file: string): Promise<unknown> => {
      try {
        return JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new TokenizerError(`cannot read '${file}': ${(error as Error).message}`);
      }
    };
    const configFile = join(dir, 'tokenizer_config.json');
    const config = existsSync(configFile) ? parseTokenizerConfig(await readJson(configFile), configFile) : undefined;
    const specials = config?.specials ?? DEFAULT_SPECIALS;
    const jsonFile = join(dir, 'tokenizer.json');
    const vocabFile = join(dir, 'vocab.txt');
    let spec: BertTokenizerSpec;
    let source: string;
    if (existsSync(jsonFile)) {
      spec = parseTokenizerJson(await readJson(jsonFile), jsonFile, specials);
      source = jsonFile;
    } else if (existsSync(vocabFile)) {
      const vocab = readVocabText(await readFile(vocabFile, 'utf8'));
      spec = {
        vocab,
        normalizer: resolveNormalizerOptions(config?.options),
        specials,
        continuingSubwordPrefix: '##',
        maxInputCharsPerWord: 100,
      };
      source = vocabFile;
    } else {
      throw new TokenizerError(`no tokenizer in '${dir}': expected tokenizer.json or vocab.txt`);
    }
    if (config?.modelMaxLength !== undefined) spec.modelMaxLength = config.modelMaxLength;
    return new BertTokenizer(spec, source);
  }

  /**
   * Encodes a text, or a text pair with `options.pair`.
   *
   * @example
   * ```ts
   * tok.encode('我爱ML', { pair: '好' });
   * // inputIds [101, 2769, 4263, 10215, 102, 1962, 102], tokenTypeIds [0, 0, 0, 0, 0, 1, 1],
   * // offsets [[0, 0], [0, 1], [1, 2], [2, 4], [0, 0], [0, 1], [0, 0]], pairStart 5
   * tok.encode('一二三四五六', { maxLength: 5 }).tokens; // ['[CLS]', '一', '二', '三', '[SEP]']
   * ```
   */
  encode(text: string, options: EncodeOptions = {}): Encoding {
    checkText(text, 'encode', 'text');
    if (options.pair !== undefined) checkText(options.pair, 'encode', 'options.pair');
    return this.encodeChecked(text, options.pair, options);
  }

  /**
   * Encodes many texts or `[text, pair]` tuples, optionally padded to a common length.
   *
   * @example
   * ```ts
   * tok.encodeBatch(['好', '很好'], { padding: 'longest' }).map((e) => e.attentionMask);
   * // [[1, 1, 1, 0], [1, 1, 1, 1]]
   * ```
   */
  encodeBatch(texts: string[] | [string, string][], options: BatchEncodeOptions & { pair?: never } = {}): Encoding[] {
    if (!Array.isArray(texts)) throw new TokenizerError(`encodeBatch: 'texts' must be an array, got ${typeof texts}`);
    if (options.pair !== undefined)
      throw new TokenizerError(`encodeBatch: pass pairs as [text, pair] tuples, not options.pair`);
    const encodings = texts.map((item: string | [string, string], i) => {
      if (typeof item === 'string') return this.encodeChecked(item, undefined, options);
      if (!Array.isArray(item) || item.length !== 2)
        throw new TokenizerError(`encodeBatch: texts[${i}] must be a string or a [text, pair] tuple`);
      checkText(item[0], 'encodeBatch', `texts[${i}][0]`);
      checkText(item[1], 'encodeBatch', `texts[${i}][1]`);
      return this.encodeChecked(item[0], item[1], options);
    });
    if (options.padding !== undefined) {
      if (options.padding !== 'longest' && options.padding !== 'max_length') {
        throw new TokenizerError(
          `encodeBatch: unknown padding '${String(options.padding)}'; valid: longest, max_length`,
        );
      }
      pad(encodings, options.padding, options.maxLength, this.padId, this.spec.specials.pad);
    }
    return encodings;
  }

  /**
   * WordPiece tokens of a text, without special tokens (`[MASK]` written in the text stays one token).
   *
   * @example
   * ```ts
   * tok.tokenize('Tokenizer很好用'); // ['to', '##ken', '##ize', '##r', '很', '好', '用']
   * ```
   */
  tokenize(text: string): string[] {
    checkText(text, 'tokenize', 'text');
    return this.segment(text).ids.map((id) => this.idToToken(id));
  }

  /**
   * Ids of tokens; unknown tokens map to `unkId`.
   *
   * @example
   * ```ts
   * tok.convertTokensToIds(['[CLS]', '好', 'no-such-token']); // [101, 1962, 100]
   * ```
   */
  convertTokensToIds(tokens: string[]): number[] {
    return tokens.map((token) => this.vocab.get(token) ?? this.unkId);
  }

  /**
   * The token of an id.
   *
   * @example
   * ```ts
   * tok.idToToken(103); // '[MASK]'
   * ```
   */
  idToToken(id: number): string {
    const token = this.spec.vocab[id];
    if (token === undefined)
      throw new TokenizerError(`idToToken: id must be an integer in 0..${this.vocabSize - 1}, got ${id}`);
    return token;
  }

  /**
   * The id of a token, or `undefined` when it is not in the vocabulary.
   *
   * @example
   * ```ts
   * tok.tokenToId('好'); // 1962
   * ```
   */
  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  /**
   * Text of ids, as the Rust `WordPiece` decoder writes it: tokens joined by spaces, `##` pieces glued on.
   *
   * @example
   * ```ts
   * tok.decode([101, 2769, 4263, 8701, 102], { skipSpecialTokens: true }); // '我 爱 hello'
   * ```
   */
  decode(ids: number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const prefix = this.spec.continuingSubwordPrefix;
    let text = '';
    let first = true;
    for (const id of ids) {
      if (skip && this.specialSet.has(id)) continue;
      let token = this.idToToken(id);
      if (!first) token = token.startsWith(prefix) ? token.slice(prefix.length) : ` ${token}`;
      for (const [from, to] of CLEANUP) token = token.replaceAll(from, to);
      text += token;
      first = false;
    }
    return text;
  }

  /**
   * The `tokenizer.json` document of this tokenizer (Rust `tokenizers` format).
   *
   * @example
   * ```ts
   * tok.toTokenizerJson().normalizer; // { type: 'BertNormalizer', clean_text: true, ... }
   * ```
   */
  toTokenizerJson(): Record<string, unknown> {
    const { vocab, normalizer, specials, continuingSubwordPrefix, maxInputCharsPerWord } = this.spec;
    return buildTokenizerJson(vocab, normalizer, specials, continuingSubwordPrefix, maxInputCharsPerWord);
  }

  /**
   * Writes `vocab.txt`, `tokenizer_config.json` and `tokenizer.json` in Hugging Face's layout, which
   * `fromPretrained` (and `transformers.AutoTokenizer`) read back.
   *
   * @example
   * ```ts
   * await tok.save('checkpoints/run-1'); // then: await BertTokenizer.fromPretrained('checkpoints/run-1')
   * ```
   */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'vocab.txt'), `${this.spec.vocab.join('\n')}\n`);
    await writeFile(
      join(dir, 'tokenizer_config.json'),
      `${JSON.stringify(buildTokenizerConfig(this.spec), null, 2)}\n`,
    );
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(this.toTokenizerJson()));
  }

  private encodeChecked(text: string, pair: string | undefined, options: BatchEncodeOptions): Encoding {
    checkText(text, 'encode', 'text');
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const first = this.segment(text);
    const second = pair === undefined ? undefined : this.segment(pair);
    const maxLength = options.maxLength ?? (options.truncation === undefined ? undefined : this.spec.modelMaxLength);
    if (options.truncation !== undefined && !TRUNCATIONS.includes(options.truncation)) {
      throw new TokenizerError(`unknown truncation '${String(options.truncation)}'; valid: ${TRUNCATIONS.join(', ')}`);
    }
    if (maxLength !== undefined) {
      const specials = addSpecialTokens ? (second === undefined ? 2 : 3) : 0;
      truncate(first, second, maxLength, options.truncation ?? 'longest_first', specials);
    } else if (options.truncation !== undefined) {
      throw new TokenizerError(
        `truncation '${options.truncation}' needs maxLength (the tokenizer has no model_max_length)`,
      );
    }
    return assemble(first, second, addSpecialTokens, this.specialIds, this.spec.vocab);
  }

  /** Ids and offsets of one text: special tokens written in it are kept whole, the rest is WordPiece'd. */
  private segment(text: string): Segment {
    const out: Segment = { ids: [], offsets: [] };
    if (!this.verbatimStarts.some((start) => text.includes(start))) {
      this.words(text, 0, text.length, out);
      return out;
    }
    let from = 0;
    for (;;) {
      let at = -1;
      let match = '';
      for (const special of this.verbatim) {
        const index = text.indexOf(special, from);
        if (index >= 0 && (at < 0 || index < at)) {
          at = index;
          match = special;
        }
      }
      this.words(text, from, at < 0 ? text.length : at, out);
      if (at < 0) return out;
      out.ids.push(this.vocab.get(match) ?? this.unkId);
      out.offsets.push(at, at + match.length);
      from = at + match.length;
    }
  }

  private words(text: string, from: number, to: number, out: Segment): void {
    if (from >= to) return;
    const pre = this.pre;
    pre.reset();
    this.basic.split(text, from, to, pre);
    const { starts, ends } = pre;
    for (let k = 0; k < pre.words.length; k++) {
      const word = pre.words[k] ?? '';
      const base = pre.bases[k] ?? 0;
      if (word.length === 1 && this.spec.maxInputCharsPerWord >= 1) {
        const id = this.charIds[word.charCodeAt(0)] ?? -1;
        out.ids.push(id < 0 ? this.unkId : id);
        out.offsets.push(starts[base] ?? 0, ends[base] ?? 0);
        continue;
      }
      const pieces = this.wordpiece.split(word);
      for (let p = 0; p < pieces.length; p += 3) {
        out.ids.push(pieces[p] ?? this.unkId);
        out.offsets.push(starts[base + (pieces[p + 1] ?? 0)] ?? 0, ends[base + (pieces[p + 2] ?? 1) - 1] ?? 0);
      }
    }
  }
}

function checkText(value: unknown, method: string, name: string): void {
  if (typeof value !== 'string') {
    throw new TokenizerError(`${method}: '${name}' must be a string, got ${value === null ? 'null' : typeof value}`);
  }
}
