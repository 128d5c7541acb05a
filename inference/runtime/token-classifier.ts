/**
 * `loadTokenClassifier(bundle)`: a token-classification (NER) bundle on ONNX Runtime. Texts are encoded
 * one token per character; a text longer than the bundle's window is cut into windows (after a
 * sentence end where possible) and the windows' tags are joined. Tags decode to entity spans (BIO).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { BundleError, ConfigError } from '../../framework/errors.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { TOKEN_BUNDLE_FORMAT, TOKEN_BUNDLE_FORMAT_VERSION, type TokenBundleManifest } from '../export/token-bundle.js';
import { tagIdsToSpans, viterbiTagIds } from './bio.js';
import { charTokenIds, charWindows, textChars } from './char-features.js';

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
}

/**
 * A loaded NER bundle.
 * @example
 * const ner = await loadTokenClassifier('models/taskflow/ner-accurate');
 * await ner.predict(['浙商银行企业信贷部叶老桂博士']);
 * // → [[{ start: 0, end: 4, text: '浙商银行', type: 'company' }, { start: 9, end: 12, text: '叶老桂', type: 'name' }]]
 */
export class TokenClassifier {
  readonly tags: readonly string[];

  private constructor(readonly manifest: TokenBundleManifest, private readonly session: InferenceSession, private readonly ort: Ort, readonly tokenizer: BertTokenizer) {
    this.tags = manifest.tags;
  }

  /** Reads `bundle.json`, the tokenizer and the graph. */
  static async load(dir: string, options: TokenClassifierOptions = {}): Promise<TokenClassifier> {
    const manifestFile = join(dir, 'bundle.json');
    if (!existsSync(manifestFile)) throw new BundleError(`${dir}: not a fewprompt token-classification bundle (no bundle.json)`);
    let manifest: TokenBundleManifest;
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as TokenBundleManifest;
    } catch (error) {
      throw new BundleError(`${manifestFile}: not valid JSON (${(error as Error).message})`);
    }
    if (manifest.format !== TOKEN_BUNDLE_FORMAT || manifest.formatVersion !== TOKEN_BUNDLE_FORMAT_VERSION) {
      throw new BundleError(`${manifestFile}: format ${String(manifest.format)} v${String(manifest.formatVersion)}, expected ${TOKEN_BUNDLE_FORMAT} v${TOKEN_BUNDLE_FORMAT_VERSION}`);
    }
    if (!Array.isArray(manifest.tags) || manifest.tags[0] !== 'O') throw new BundleError(`${manifestFile}: field 'tags' must be a list starting with 'O'`);
    if (!Number.isInteger(manifest.maxSeqLen) || manifest.maxSeqLen < 3) throw new BundleError(`${manifestFile}: field 'maxSeqLen' must be an integer ≥ 3, got ${String(manifest.maxSeqLen)}`);
    const modelFile = join(dir, manifest.model.file);
    if (!existsSync(modelFile)) throw new BundleError(`${dir}: ${manifest.model.file} is missing`);
    const tokenizer = await BertTokenizer.fromPretrained(join(dir, 'tokenizer'));
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(modelFile, {
      graphOptimizationLevel: 'all', executionProviders: ['cpu'],
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
    return new TokenClassifier(manifest, session, ort, tokenizer);
  }

  /**
   * Tag ids of character rows (each at most maxSeqLen − 2 ids), one padded session run: the best valid
   * BIO sequence (`viterbi`, default) or each character's top tag (`argmax`, what training's accuracy sees).
   */
  async tagRows(rows: readonly number[][], decode: TagDecoding = 'viterbi'): Promise<number[][]> {
    if (rows.length === 0) return [];
    const width = Math.max(...rows.map((r) => r.length)) + 2;
    const size = rows.length;
    const ids = new Int32Array(size * width).fill(this.tokenizer.padId);
    const positions = new Int32Array(size * width);
    const mask = new Int32Array(size * width);
    const off = this.manifest.model.positionOffset;
    rows.forEach((r, b) => {
      ids.set([this.tokenizer.clsId, ...r, this.tokenizer.sepId], b * width);
      for (let i = 0; i < width; i++) positions[b * width + i] = i + off;
      mask.fill(1, b * width, b * width + r.length + 2);
    });
    const dims = [size, width];
    const t = (data: Int32Array) => new this.ort.Tensor('int32', data, dims);
    const out = (await this.session.run({ input_ids: t(ids), token_type_ids: t(new Int32Array(size * width)), position_ids: t(positions), attention_mask: t(mask) }))['scores'];
    if (!out) throw new BundleError('the graph has no "scores" output');
    const scores = out.data as Float32Array;
    const k = this.tags.length;
    if (decode === 'viterbi') return rows.map((r, b) => viterbiTagIds(scores.subarray((b * width + 1) * k, (b * width + 1 + r.length) * k), r.length, this.tags));
    return rows.map((r, b) => r.map((_, i) => {
      const at = (b * width + 1 + i) * k;
      let best = 0;
      for (let j = 1; j < k; j++) if (scores[at + j]! > scores[at + best]!) best = j;
      return best;
    }));
  }

  /**
   * Entities of each text. Windows of all texts are batched together, sorted by length.
   * @example
   * await ner.predict(['叶老桂认为'], { batchSize: 32 }); // → [[{ start: 0, end: 3, text: '叶老桂', type: 'name' }]]
   */
  async predict(texts: readonly string[], options: { batchSize?: number; decode?: TagDecoding } = {}): Promise<Entity[][]> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
    const chars = texts.map(textChars);
    const windows = chars.flatMap((cs, owner) => charWindows(cs, this.manifest.maxSeqLen - 2).map((w) => ({ owner, ...w, ids: charTokenIds(this.tokenizer, cs.slice(w.start, w.end)) })));
    const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.ids.length - windows[b]!.ids.length);
    const tagged: number[][] = new Array<number[]>(windows.length);
    for (let at = 0; at < order.length; at += batchSize) {
      const chunk = order.slice(at, at + batchSize);
      const result = await this.tagRows(chunk.map((i) => windows[i]!.ids), options.decode);
      chunk.forEach((i, j) => { tagged[i] = result[j]!; });
    }
    const perText = chars.map(() => [] as number[]);
    windows.forEach((w, i) => perText[w.owner]!.push(...tagged[i]!));
    return perText.map((ids, i) => tagIdsToSpans(ids, this.tags).map((s) => ({ start: s.start, end: s.end, text: chars[i]!.slice(s.start, s.end).join(''), type: s.type })));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Loads a token-classification bundle (`exportTokenBundle`).
 * @example
 * const ner = await loadTokenClassifier('models/taskflow/ner-accurate', { threads: 2 });
 */
export function loadTokenClassifier(bundle: string, options: TokenClassifierOptions = {}): Promise<TokenClassifier> {
  return TokenClassifier.load(bundle, options);
}
