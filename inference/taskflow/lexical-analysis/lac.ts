/**
 * Baidu LAC lexical analysis (word segmentation + POS tags + PER/LOC/ORG/TIME) on the BiGRU-CRF
 * model: normalise and encode characters, run the network in batches on a backend, Viterbi-decode,
 * apply the user dictionary, and assemble words from the `TYPE-B/I` tags.
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from '../../../framework/errors.js';
import type { LacBackend, LacBackendKind } from './backend.js';
import { LacTagger } from './tagger.js';
import { typeOf, UserDict } from './user-dict.js';
import { LacVocab, type LacNormalization } from './vocab.js';
import { loadLacWeights, type LacWeights } from './weights.js';
import { LacWorkerPool } from './worker-pool.js';
import { packagePath } from '../../../framework/package-paths.js';

/** The converted `lac_small` model shipped in the package. */
export const SHIPPED_LAC_MODEL = packagePath('inference/taskflow/lexical-analysis/model/');

/** Options of {@link Lac.load}. */
export interface LacOptions {
  /** `auto` (default) = ONNX Runtime when it loads, else the TypeScript kernels. */
  readonly backend?: LacBackendKind | 'auto';
  /** Sequences per network call (default 32). Results do not depend on it. */
  readonly batchSize?: number;
  /** ONNX Runtime intra-op threads of the in-thread session (default 1). */
  readonly threads?: number;
  /**
   * Worker threads, each with its own ORT session, that share the batches of a call of at least
   * 256 characters (default: one per core, at most {@link MAX_DEFAULT_WORKERS}; 0 on one core).
   * 0 runs everything on the calling thread. The first call that can use them waits for them to
   * start (about a second); results do not depend on this.
   */
  readonly workers?: number;
  /**
   * `lac` (default): characters are normalised as LAC's training normalised them (CJK punctuation → ASCII marks,
   * capitals → lower case); `width` only maps full-width forms (the numpy reference parity fixtures were made so);
   * `none` feeds them as given.
   */
  readonly normalization?: LacNormalization;
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
/** Upper bound of the default worker count: LAC's GRU batches are too small to feed more. */
export const MAX_DEFAULT_WORKERS = 4;
/** Calls with fewer characters than this stay on the calling thread (a round trip costs ~0.1 ms). */
const MIN_PARALLEL_CHARS = 256;

interface Chunk {
  readonly text: number;
  readonly positions: Int32Array;
  readonly ids: Int32Array;
}

/** A loaded LAC model. */
export class Lac {
  private pool: LacWorkerPool | undefined;

  private constructor(
    readonly weights: LacWeights,
    readonly vocab: LacVocab,
    private readonly tagger: LacTagger,
    readonly batchSize: number,
    readonly userDict: UserDict | undefined,
    readonly dir: string,
    private workers: number,
    readonly normalization: LacNormalization,
  ) {}

  /** The in-thread backend (network only). */
  get backend(): LacBackend {
    return this.tagger.backend;
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
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ConfigError(`batchSize must be a positive integer, got ${String(batchSize)}`);
    const workers = options.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 0)
      throw new ConfigError(`workers must be a non-negative integer, got ${String(workers)}`);
    const kind = options.backend ?? 'auto';
    if (!['auto', 'onnx', 'js'].includes(kind))
      throw new ConfigError(`LAC backend must be one of auto, onnx, js; got '${kind}'`);
    const weights = loadLacWeights(dir);
    const vocab = LacVocab.fromDir(dir);
    if (vocab.tags.length !== weights.config.numTags) {
      throw new ConfigError(
        `${dir}: tag.dic has ${vocab.tags.length} tags but the model emits ${weights.config.numTags}`,
      );
    }
    const tagger = await LacTagger.create(weights, {
      backend: kind,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
    const dict = options.userDict;
    const userDict =
      dict === undefined || dict instanceof UserDict
        ? dict
        : typeof dict === 'string'
          ? UserDict.fromFile(dict)
          : new UserDict(dict);
    const normalization = options.normalization ?? 'lac';
    if (!['lac', 'width', 'none'].includes(normalization))
      throw new ConfigError(`LAC normalization must be lac, width or none; got '${String(normalization)}'`);
    return new Lac(weights, vocab, tagger, batchSize, userDict, dir, workers, normalization);
  }

  /**
   * Ends the worker threads, if any started; the model stays usable on the calling thread.
   * @example
   * await lac.close();
   */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.workers = 0;
    await pool?.close();
  }

  /**
   * Segments and tags every text. Whitespace is never part of a word and always separates words.
   * @example
   * (await lac.analyze(['', '  ', 'LAC是个优秀的分词工具']))[2];
   * // { words: ['LAC', '是', '个', '优秀', '的', '分词', '工具'], tags: ['nr', 'v', 'q', 'a', 'u', 'n', 'n'] }
   */
  async analyze(texts: readonly string[]): Promise<LacResult[]> {
    const tags = await this.tagCharacters(texts);
    return texts.map((t, i) => assemble(Array.from(t), tags[i]!));
  }

  /**
   * LAC's tag for every character of every text (`n-B`, `v-I`, `PER-B`, `w-B`, …; `undefined` at
   * whitespace), the user dictionary applied: what {@link analyze} assembles words from. Parsers use
   * it to give words segmented elsewhere LAC's part of speech.
   * @example
   * (await lac.tagCharacters(['百度是']))[0]; // ['ORG-B', 'ORG-I', 'v-B']
   */
  async tagCharacters(texts: readonly string[]): Promise<(string | undefined)[][]> {
    const chars = texts.map((t) => Array.from(t));
    const charTags: (string | undefined)[][] = chars.map((c) => new Array<string | undefined>(c.length));
    const chunks = chars.flatMap((c, i) => this.chunk(c, i));
    const order = chunks.map((_, i) => i).sort((a, b) => chunks[a]!.ids.length - chunks[b]!.ids.length);
    let work = batches(
      order.map((i) => chunks[i]!),
      this.batchSize,
    );
    const total = chunks.reduce((n, c) => n + c.ids.length, 0);
    const parallel = this.workers > 0 && total >= MIN_PARALLEL_CHARS;
    if (parallel) work = spread(work, this.workers);
    const store = (batch: readonly Chunk[], offsets: Int32Array, tags: Int32Array): void =>
      batch.forEach((c, j) => {
        const target = charTags[c.text]!;
        for (let k = 0; k < c.ids.length; k++) target[c.positions[k]!] = this.vocab.tags[tags[offsets[j]! + k]!];
      });
    if (parallel && work.length > 1) {
      const pool = (this.pool ??= new LacWorkerPool(this.dir, this.tagger.backend.kind, this.workers));
      // Largest first, so the last job to finish is a small one.
      work.sort((a, b) => charCount(b) - charCount(a));
      await Promise.all(
        work.map(async (batch) => {
          const { ids, offsets } = pack(batch);
          store(batch, offsets, await pool.tag(ids, offsets));
        }),
      );
    } else {
      for (const batch of work) {
        const { ids, offsets } = pack(batch);
        store(batch, offsets, await this.tagger.tag(ids, offsets));
      }
    }
    chars.forEach((c, i) => this.userDict?.apply(c, charTags[i]!));
    return charTags;
  }

  /** Non-whitespace characters of one text as model inputs of at most MAX_CHUNK characters. */
  private chunk(chars: readonly string[], text: number): Chunk[] {
    const positions: number[] = [];
    chars.forEach((ch, i) => {
      if (!WHITESPACE.test(ch)) positions.push(i);
    });
    const out: Chunk[] = [];
    let start = 0;
    while (start < positions.length) {
      let end = Math.min(positions.length, start + MAX_CHUNK);
      if (end < positions.length) {
        for (let k = end - 1; k > start + MAX_CHUNK / 2; k--) {
          if (SENTENCE_END.has(chars[positions[k]!]!)) {
            end = k + 1;
            break;
          }
        }
      }
      const slice = Int32Array.from(positions.slice(start, end));
      out.push({
        text,
        positions: slice,
        ids: this.vocab.encode(
          Array.from(slice, (p) => chars[p]!),
          this.normalization,
        ),
      });
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

/** Characters in a batch. */
function charCount(batch: readonly Chunk[]): number {
  return batch.reduce((n, c) => n + c.ids.length, 0);
}

/**
 * Splits the batch with most characters in two (at half its characters) while there are fewer
 * batches than workers or it holds more than a worker's share of the call, so that the workers
 * finish together; stops at four batches per worker or when every batch holds one chunk.
 */
function spread(work: Chunk[][], workers: number): Chunk[][] {
  const out = [...work];
  const share = out.reduce((n, b) => n + charCount(b), 0) / workers;
  while (out.length < 4 * workers) {
    let widest = -1;
    for (let i = 0; i < out.length; i++)
      if (out[i]!.length > 1 && (widest < 0 || charCount(out[i]!) > charCount(out[widest]!))) widest = i;
    if (widest < 0 || (out.length >= workers && charCount(out[widest]!) <= share)) break;
    const batch = out[widest]!;
    const half = charCount(batch) / 2;
    let cut = 1;
    for (let n = batch[0]!.ids.length; cut < batch.length - 1 && n + batch[cut]!.ids.length <= half; cut++)
      n += batch[cut]!.ids.length;
    out.splice(widest, 1, batch.slice(0, cut), batch.slice(cut));
  }
  return out;
}

/** Chunk ids laid end to end with their offsets. */
function pack(batch: readonly Chunk[]): { ids: Int32Array; offsets: Int32Array } {
  const offsets = new Int32Array(batch.length + 1);
  batch.forEach((c, j) => {
    offsets[j + 1] = offsets[j]! + c.ids.length;
  });
  const ids = new Int32Array(offsets[batch.length]!);
  batch.forEach((c, j) => ids.set(c.ids, offsets[j]!));
  return { ids, offsets };
}

/** One worker per core, at most {@link MAX_DEFAULT_WORKERS}; none on a single core. */
function defaultWorkers(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(cores, MAX_DEFAULT_WORKERS);
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
    if (tag === undefined) {
      previous = undefined;
      continue;
    }
    const starts = previous === undefined || tag.endsWith('-B') || (tag === 'O' && previous !== 'O');
    if (starts) {
      words.push(chars[i]!);
      out.push(typeOf(tag));
    } else words[words.length - 1] += chars[i]!;
    previous = tag;
  }
  return { words, tags: out };
}
