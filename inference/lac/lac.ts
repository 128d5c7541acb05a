/**
 * Baidu LAC lexical analysis (word segmentation + POS tags + PER/LOC/ORG/TIME) on the BiGRU-CRF
 * model: normalise and encode characters, run the network in batches on a backend, Viterbi-decode,
 * apply the user dictionary, and assemble words from the `TYPE-B/I` tags.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../framework/errors.js';
import { JsLacBackend, type LacBackend, type LacBackendKind } from './backend.js';
import { LinearChainCrf } from './crf.js';
import { OnnxLacBackend } from './onnx-backend.js';
import { typeOf, UserDict } from './user-dict.js';
import { LacVocab } from './vocab.js';
import { loadLacWeights, type LacWeights } from './weights.js';

/** The converted `lac_small` model shipped in the package. */
export const SHIPPED_LAC_MODEL = fileURLToPath(new URL('./model/', import.meta.url));

/** Options of {@link Lac.load}. */
export interface LacOptions {
  /** `auto` (default) = ONNX Runtime when it loads, else the TypeScript kernels. */
  readonly backend?: LacBackendKind | 'auto';
  /** Sequences per network call (default 32). Results do not depend on it. */
  readonly batchSize?: number;
  /** ONNX Runtime intra-op threads (default 1). */
  readonly threads?: number;
  /** Forced words: a {@link UserDict}, a file path, or dictionary lines. */
  readonly userDict?: UserDict | string | readonly string[];
}

/** One analysed text: parallel arrays of words and their LAC tags (POS or PER/LOC/ORG/TIME). */
export interface LacResult {
  readonly words: string[];
  readonly tags: string[];
}

/** Texts longer than this are cut (at the last sentence end inside the window when there is one). */
const MAX_CHUNK = 512;
const SENTENCE_END = new Set(['。', '！', '？', '!', '?', '；', ';', '…', '\n']);
const WHITESPACE = /^\s$/u;

interface Chunk { readonly text: number; readonly positions: Int32Array; readonly ids: Int32Array }

/** A loaded LAC model. */
export class Lac {
  private readonly crf: LinearChainCrf;

  private constructor(readonly weights: LacWeights, readonly vocab: LacVocab, readonly backend: LacBackend,
    readonly batchSize: number, readonly userDict: UserDict | undefined) {
    this.crf = new LinearChainCrf(weights.config.numTags, weights.crfStart, weights.crfEnd, weights.crfTransitions);
  }

  /**
   * Loads a converted model directory (default: the shipped one).
   * @example
   * const lac = await Lac.load();
   * await lac.analyze(['三亚是一个美丽的城市']);
   * // [{ words: ['三亚', '是', '一个', '美丽', '的', '城市'], tags: ['LOC', 'v', 'm', 'a', 'u', 'n'] }]
   */
  static async load(dir = SHIPPED_LAC_MODEL, options: LacOptions = {}): Promise<Lac> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`batchSize must be a positive integer, got ${String(batchSize)}`);
    const kind = options.backend ?? 'auto';
    if (!['auto', 'onnx', 'js'].includes(kind)) throw new ConfigError(`LAC backend must be one of auto, onnx, js; got '${kind}'`);
    const weights = loadLacWeights(dir);
    const vocab = LacVocab.fromDir(dir);
    if (vocab.tags.length !== weights.config.numTags) {
      throw new ConfigError(`${dir}: tag.dic has ${vocab.tags.length} tags but the model emits ${weights.config.numTags}`);
    }
    let backend: LacBackend | undefined;
    if (kind !== 'js') {
      backend = await OnnxLacBackend.create(weights, options.threads === undefined ? {} : { threads: options.threads });
      if (!backend && kind === 'onnx') throw new ConfigError("LAC backend 'onnx' requested but onnxruntime-node could not be loaded");
    }
    const dict = options.userDict;
    const userDict = dict === undefined || dict instanceof UserDict ? dict : typeof dict === 'string' ? UserDict.fromFile(dict) : new UserDict(dict);
    return new Lac(weights, vocab, backend ?? new JsLacBackend(weights), batchSize, userDict);
  }

  /**
   * Segments and tags every text. Whitespace is never part of a word and always separates words.
   * @example
   * (await lac.analyze(['', '  ', 'LAC是个优秀的分词工具']))[2];
   * // { words: ['LAC', '是', '个', '优秀', '的', '分词', '工具'], tags: ['nr', 'v', 'q', 'a', 'u', 'n', 'n'] }
   */
  async analyze(texts: readonly string[]): Promise<LacResult[]> {
    const chars = texts.map((t) => Array.from(t));
    const charTags: (string | undefined)[][] = chars.map((c) => new Array<string | undefined>(c.length));
    const chunks = chars.flatMap((c, i) => this.chunk(c, i));
    const order = chunks.map((_, i) => i).sort((a, b) => chunks[a]!.ids.length - chunks[b]!.ids.length);
    for (const batch of batches(order.map((i) => chunks[i]!), this.batchSize)) {
      const offsets = new Int32Array(batch.length + 1);
      batch.forEach((c, j) => { offsets[j + 1] = offsets[j]! + c.ids.length; });
      const ids = new Int32Array(offsets[batch.length]!);
      batch.forEach((c, j) => ids.set(c.ids, offsets[j]!));
      const emissions = await this.backend.emissions(ids, offsets);
      batch.forEach((c, j) => {
        const path = this.crf.decode(emissions, offsets[j]!, c.ids.length);
        const target = charTags[c.text]!;
        for (let k = 0; k < path.length; k++) target[c.positions[k]!] = this.vocab.tags[path[k]!];
      });
    }
    return chars.map((c, i) => {
      this.userDict?.apply(c, charTags[i]!);
      return assemble(c, charTags[i]!);
    });
  }

  /** Non-whitespace characters of one text as model inputs of at most MAX_CHUNK characters. */
  private chunk(chars: readonly string[], text: number): Chunk[] {
    const positions: number[] = [];
    chars.forEach((ch, i) => { if (!WHITESPACE.test(ch)) positions.push(i); });
    const out: Chunk[] = [];
    let start = 0;
    while (start < positions.length) {
      let end = Math.min(positions.length, start + MAX_CHUNK);
      if (end < positions.length) {
        for (let k = end - 1; k > start + MAX_CHUNK / 2; k--) {
          if (SENTENCE_END.has(chars[positions[k]!]!)) { end = k + 1; break; }
        }
      }
      const slice = Int32Array.from(positions.slice(start, end));
      out.push({ text, positions: slice, ids: this.vocab.encode(Array.from(slice, (p) => chars[p]!)) });
      start = end;
    }
    return out;
  }
}

/** Padded work may exceed the real work by this factor before a batch is closed early. */
const MAX_PADDING = 1.25;

/**
 * Splits length-sorted chunks into batches of at most `size`, closing a batch early when padding
 * every member to the next (longest) chunk would waste more than MAX_PADDING: a batch of 32 mixed
 * lengths becomes a few batches of similar lengths, which is faster on ONNX Runtime's GRU.
 */
function batches(sorted: readonly Chunk[], size: number): Chunk[][] {
  const out: Chunk[][] = [];
  let current: Chunk[] = [];
  let total = 0;
  for (const chunk of sorted) {
    const n = chunk.ids.length;
    if (current.length > 0 && (current.length >= size || n * (current.length + 1) > MAX_PADDING * (total + n))) {
      out.push(current);
      current = [];
      total = 0;
    }
    current.push(chunk);
    total += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Words from per-character tags as LAC's `parse_result`: a word starts at a `-B` tag, at an `O`
 * after a non-`O`, and (our addition) after whitespace; its tag is the type of its first character.
 */
function assemble(chars: readonly string[], tags: readonly (string | undefined)[]): LacResult {
  const words: string[] = [];
  const out: string[] = [];
  let previous: string | undefined;
  for (let i = 0; i < chars.length; i++) {
    const tag = tags[i];
    if (tag === undefined) { previous = undefined; continue; }
    const starts = previous === undefined || tag.endsWith('-B') || (tag === 'O' && previous !== 'O');
    if (starts) { words.push(chars[i]!); out.push(typeOf(tag)); } else words[words.length - 1] += chars[i]!;
    previous = tag;
  }
  return { words, tags: out };
}
