/**
 * `loadTokenClassifier(bundle)`: a token-classification (NER) bundle on ONNX Runtime. Texts are encoded
 * one token per character; a text longer than the bundle's window is cut into windows (after a
 * sentence end where possible) and the windows' tags are joined. Tags decode to entity spans (BIO).
 * A bundle whose tag layer reads LAC character tags (`manifest.lacTags`) gets them from LAC, run on
 * each whole text and cut with the windows (the shipped LAC, loaded on first use, unless one is given).
 * A bundle's entity lexicon (`lexicon.tsv`, lexicon.ts), merged with the caller's, corrects the decoded spans.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { BundleError, ConfigError } from '../../../framework/errors.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { TOKEN_BUNDLE_FORMAT, TOKEN_BUNDLE_FORMAT_VERSION, type TokenBundleManifest } from './manifest.js';
import { RUNTIME_OPTIMIZATION } from '../../../framework/model/bert-graph.js';
import { tagIdsToSpans, viterbiTagIds } from './bio.js';
import { charTokenIds, charWindows, textChars } from './char-features.js';
import { Lac } from '../lexical-analysis/lac.js';
import { checkLacTagFeatures, LacCharTagVocab, PAD_LAC_TAG_ID } from './lac-char-tags.js';
import { EntityLexicon, LEXICON_FILE } from './lexicon.js';

type Ort = typeof import('onnxruntime-node');

/** One entity found in a text: its characters `[start, end)` (code points), text and type. */
export interface Entity {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly type: string;
}

/** How tag scores become tags: constrained Viterbi over valid BIO sequences, or per-character argmax. */
export type TagDecoding = 'viterbi' | 'argmax';

/** Options of {@link loadTokenClassifier}. */
export interface TokenClassifierOptions {
  /** ORT intra-op threads (default: ORT's choice). */
  readonly threads?: number;
  /** LAC for a bundle that reads LAC tags (default: the shipped LAC, loaded on first use and closed by `release`). */
  readonly lac?: Lac;
  /**
   * The caller's entities (Taskflow's `userDict`: `实体/类型` lines, or a file of them; types of the bundle's tags),
   * added to the bundle's lexicon; theirs win.
   */
  readonly userDict?: string | readonly string[];
}

/**
 * A loaded NER bundle.
 * @example
 * const ner = await loadTokenClassifier('models/taskflow/ner');
 * await ner.predict(['浙商银行企业信贷部叶老桂博士']);
 * // → [[{ start: 0, end: 9, text: '浙商银行企业信贷部', type: 'company' }, { start: 9, end: 12, text: '叶老桂', type: 'name' }]]
 * // (the shipped model; CLUENER's gold company is 浙商银行)
 */
export class TokenClassifier {
  readonly tags: readonly string[];
  /** The LAC tag vocabulary when the bundle reads LAC tags. */
  readonly lacVocab: LacCharTagVocab | undefined;
  private lac: Promise<Lac> | undefined;
  private readonly ownsLac: boolean;

  private constructor(
    readonly manifest: TokenBundleManifest,
    private readonly session: InferenceSession,
    private readonly ort: Ort,
    readonly tokenizer: BertTokenizer,
    lac: Lac | undefined,
    /** The bundle's lexicon with the caller's entries (none: undefined). */
    readonly lexicon: EntityLexicon | undefined,
  ) {
    this.tags = manifest.tags;
    this.lacVocab = manifest.lacTags ? new LacCharTagVocab(manifest.lacTags.tags) : undefined;
    this.lac = lac ? Promise.resolve(lac) : undefined;
    this.ownsLac = !lac;
  }

  /** Reads `bundle.json`, the tokenizer and the graph. */
  static async load(dir: string, options: TokenClassifierOptions = {}): Promise<TokenClassifier> {
    const manifestFile = join(dir, 'bundle.json');
    if (!existsSync(manifestFile))
      throw new BundleError(`${dir}: not a fewprompt token-classification bundle (no bundle.json)`);
    let manifest: TokenBundleManifest;
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as TokenBundleManifest;
    } catch (error) {
      throw new BundleError(`${manifestFile}: not valid JSON (${(error as Error).message})`);
    }
    if (manifest.format !== TOKEN_BUNDLE_FORMAT || manifest.formatVersion !== TOKEN_BUNDLE_FORMAT_VERSION) {
      throw new BundleError(
        `${manifestFile}: format ${String(manifest.format)} v${String(manifest.formatVersion)}, ` +
          `expected ${TOKEN_BUNDLE_FORMAT} v${TOKEN_BUNDLE_FORMAT_VERSION}`,
      );
    }
    if (!Array.isArray(manifest.tags) || manifest.tags[0] !== 'O')
      throw new BundleError(`${manifestFile}: field 'tags' must be a list starting with 'O'`);
    if (!Number.isInteger(manifest.maxSeqLen) || manifest.maxSeqLen < 3)
      throw new BundleError(
        `${manifestFile}: field 'maxSeqLen' must be an integer ≥ 3, got ${String(manifest.maxSeqLen)}`,
      );
    if (manifest.lacTags !== undefined) {
      try {
        checkLacTagFeatures(manifest.lacTags, manifestFile);
      } catch (error) {
        throw new BundleError((error as Error).message);
      }
    }
    const modelFile = join(dir, manifest.model.file);
    if (!existsSync(modelFile)) throw new BundleError(`${dir}: ${manifest.model.file} is missing`);
    const tokenizer = await BertTokenizer.fromPretrained(join(dir, 'tokenizer'));
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(modelFile, {
      graphOptimizationLevel: RUNTIME_OPTIMIZATION.contrib,
      executionProviders: ['cpu'], // token bundles are always fused
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
    const reads = session.inputNames.includes('lac_tag_ids');
    if (reads !== (manifest.lacTags !== undefined)) {
      await session.release();
      throw new BundleError(
        `${dir}: bundle.json ${manifest.lacTags ? 'lists' : 'has no'} lacTags ` +
          `but the graph ${reads ? 'has' : 'lacks'} a lac_tag_ids input`,
      );
    }
    const lexiconFile = join(dir, LEXICON_FILE);
    const own = existsSync(lexiconFile) ? EntityLexicon.load(lexiconFile) : undefined;
    let user: EntityLexicon | undefined;
    try {
      user =
        options.userDict === undefined
          ? undefined
          : EntityLexicon.fromUserDict(options.userDict, entityTypes(manifest.tags));
    } catch (error) {
      await session.release();
      throw error;
    }
    const lexicon = own && user ? own.merge(user) : (user ?? own);
    return new TokenClassifier(manifest, session, ort, tokenizer, options.lac, lexicon);
  }

  /**
   * Tag scores (logits) of character rows (each at most maxSeqLen − 2 ids), one padded session run: per
   * row a [characters × tags] array. A bundle that reads LAC tags needs `lacTagIds`, one row of
   * `LacCharTagVocab` ids per row of characters (the graph gets 0 at `[CLS]`, `[SEP]` and padding).
   * @example
   * const [s] = await ner.scoreRows([[3851, 1555]]); // Float32Array of 2 × 21 logits
   */
  async scoreRows(
    rows: readonly (readonly number[])[],
    lacTagIds?: readonly (readonly number[])[],
  ): Promise<Float32Array[]> {
    if (rows.length === 0) return [];
    if (this.lacVocab && !lacTagIds)
      throw new ConfigError('this bundle reads LAC tags: pass lacTagIds (LacCharTagVocab.textIds) with the rows');
    if (lacTagIds) {
      if (lacTagIds.length !== rows.length)
        throw new ConfigError(`lacTagIds: ${lacTagIds.length} rows for ${rows.length} rows of characters`);
      lacTagIds.forEach((t, i) => {
        if (t.length !== rows[i]!.length)
          throw new ConfigError(`lacTagIds[${i}]: ${t.length} ids for ${rows[i]!.length} characters`);
      });
    }
    const width = Math.max(...rows.map((r) => r.length)) + 2;
    const size = rows.length;
    const ids = new Int32Array(size * width).fill(this.tokenizer.padId);
    const positions = new Int32Array(size * width);
    const mask = new Int32Array(size * width);
    const lacIds = new Int32Array(this.lacVocab ? size * width : 0).fill(PAD_LAC_TAG_ID);
    const off = this.manifest.model.positionOffset;
    rows.forEach((r, b) => {
      ids.set([this.tokenizer.clsId, ...r, this.tokenizer.sepId], b * width);
      for (let i = 0; i < width; i++) positions[b * width + i] = i + off;
      mask.fill(1, b * width, b * width + r.length + 2);
      if (this.lacVocab) lacIds.set(lacTagIds![b]!, b * width + 1);
    });
    const dims = [size, width];
    const t = (data: Int32Array) => new this.ort.Tensor('int32', data, dims);
    const feeds = {
      input_ids: t(ids),
      token_type_ids: t(new Int32Array(size * width)),
      position_ids: t(positions),
      attention_mask: t(mask),
      ...(this.lacVocab ? { lac_tag_ids: t(lacIds) } : {}),
    };
    const out = (await this.session.run(feeds))['scores'];
    if (!out) throw new BundleError('the graph has no "scores" output');
    const scores = out.data as Float32Array;
    const k = this.tags.length;
    return rows.map((r, b) => scores.slice((b * width + 1) * k, (b * width + 1 + r.length) * k));
  }

  /**
   * Tag ids of character rows ({@link scoreRows} decoded): the best valid BIO sequence (`viterbi`,
   * default) or each character's top tag (`argmax`, what training's accuracy sees).
   */
  async tagRows(
    rows: readonly (readonly number[])[],
    decode: TagDecoding = 'viterbi',
    lacTagIds?: readonly (readonly number[])[],
  ): Promise<number[][]> {
    const k = this.tags.length;
    return (await this.scoreRows(rows, lacTagIds)).map((scores, b) => {
      const n = rows[b]!.length;
      if (decode === 'viterbi') return viterbiTagIds(scores, n, this.tags);
      return Array.from({ length: n }, (_, i) => {
        let best = 0;
        for (let j = 1; j < k; j++) if (scores[i * k + j]! > scores[i * k + best]!) best = j;
        return best;
      });
    });
  }

  /**
   * Entities of each text. Windows of all texts are batched together, sorted by length. The lexicon (if any)
   * corrects the decoded spans unless `lexicon: false`.
   * @example
   * await ner.predict(['叶老桂认为'], { batchSize: 32 }); // → [[{ start: 0, end: 3, text: '叶老桂', type: 'name' }]]
   */
  async predict(
    texts: readonly string[],
    options: { batchSize?: number; decode?: TagDecoding; lexicon?: boolean } = {},
  ): Promise<Entity[][]> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
    const chars = texts.map(textChars);
    const lacIds = this.lacVocab ? await this.lacVocab.textIds(await this.loadLac(), texts) : undefined;
    const windows = chars.flatMap((cs, owner) =>
      charWindows(cs, this.manifest.maxSeqLen - 2).map((w) => ({
        owner,
        ...w,
        ids: charTokenIds(this.tokenizer, cs.slice(w.start, w.end)),
        lac: lacIds ? lacIds[owner]!.slice(w.start, w.end) : [],
      })),
    );
    const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.ids.length - windows[b]!.ids.length);
    const tagged: number[][] = new Array<number[]>(windows.length);
    for (let at = 0; at < order.length; at += batchSize) {
      const chunk = order.slice(at, at + batchSize);
      const result = await this.tagRows(
        chunk.map((i) => windows[i]!.ids),
        options.decode,
        lacIds ? chunk.map((i) => windows[i]!.lac) : undefined,
      );
      chunk.forEach((i, j) => {
        tagged[i] = result[j]!;
      });
    }
    const perText = chars.map(() => [] as number[]);
    windows.forEach((w, i) => perText[w.owner]!.push(...tagged[i]!));
    const lexicon = options.lexicon === false ? undefined : this.lexicon;
    return perText.map((ids, i) =>
      (lexicon ? lexicon.apply(chars[i]!, tagIdsToSpans(ids, this.tags)) : tagIdsToSpans(ids, this.tags)).map((s) => ({
        start: s.start,
        end: s.end,
        text: chars[i]!.slice(s.start, s.end).join(''),
        type: s.type,
      })),
    );
  }

  /** The given LAC, or the shipped one (loaded once, on first use). */
  private loadLac(): Promise<Lac> {
    this.lac ??= Lac.load(undefined, { workers: 0 });
    return this.lac;
  }

  /** Releases the ORT session (and the LAC this classifier loaded itself). */
  async release(): Promise<void> {
    await this.session.release();
    if (this.ownsLac && this.lac) await (await this.lac).close();
  }
}

/** The entity types of BIO tags, in order of first appearance. */
function entityTypes(tags: readonly string[]): string[] {
  return [...new Set(tags.filter((t) => t !== 'O').map((t) => t.slice(2)))];
}

/**
 * Loads a token-classification bundle (`exportTokenBundle`).
 * @example
 * const ner = await loadTokenClassifier('models/taskflow/ner', { threads: 2 });
 */
export function loadTokenClassifier(bundle: string, options: TokenClassifierOptions = {}): Promise<TokenClassifier> {
  return TokenClassifier.load(bundle, options);
}
