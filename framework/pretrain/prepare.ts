/**
 * The data half of pretraining: read the corpus, clean it, set 1% of documents aside (by content hash,
 * so the split never depends on file order), tokenise, mark word starts with a segmenter for whole-word
 * masking, choose the vocabulary, and pack both parts into fixed-length chunks.
 */
import { ConfigError } from '../errors.js';
import { log } from '../log.js';
import { Cleaner, fnv1a, type CleanCounts, type CleanOptions } from './clean.js';
import { CharTokenizer, isCjk } from './char-tokenizer.js';
import { readCorpus, type CorpusSource } from './corpus.js';
import { PackedCorpus, TokenStream } from './packing.js';
import { pruneVocab, vocabMapping } from './vocab.js';

/** Splits text into words whose concatenation is the text (jieba's `cut`). */
export type Segmenter = (text: string) => string[];

/**
 * jieba (via `@node-rs/jieba`) when installed, else undefined (the caller falls back to character masking).
 * @example const seg = await loadJieba(); seg?.('我爱北京天安门') // → ['我', '爱', '北京', '天安门']
 */
export async function loadJieba(): Promise<Segmenter | undefined> {
  try {
    const { Jieba } = await import('@node-rs/jieba');
    const { dict } = await import('@node-rs/jieba/dict.js');
    const jieba = Jieba.withDict(dict);
    return (text) => jieba.cut(text, true);
  } catch (error) {
    log.warn(
      `jieba unavailable (${(error as Error).message.split('\n')[0]}); whole-word masking falls back to characters`,
    );
    return undefined;
  }
}

/**
 * - `bert`: the base vocabulary as is (bert-base-chinese: 21,128 entries; a starting model's embeddings load
 *   unchanged).
 * - `corpus`: the base vocabulary pruned to the special tokens, every single character, and every other
 *   piece the corpus uses ≥ `minCount` times (≈ 10k with bert-base-chinese; rows are carried over from the starting
 *   model).
 */
export const VOCAB_KINDS = ['bert', 'corpus'] as const;
export type VocabKind = (typeof VOCAB_KINDS)[number];

export interface PrepareOptions {
  sources: CorpusSource[];
  /** The tokenizer vocabulary (e.g. bert-base-chinese's vocab.txt, or the starting model's). */
  baseVocab: readonly string[];
  vocab?: VocabKind;
  /** `corpus` vocab: minimum uses for a multi-character piece. Default 1. */
  minCount?: number;
  clean?: CleanOptions;
  /** Texts never to train on (e.g. FewCLUE's test_public / test files): a corpus document equal to one is dropped. */
  decontaminate?: CorpusSource[];
  maxSeqLen: number;
  /** Percent of documents held out for evaluation. Default 1. */
  heldoutPercent?: number;
  /** Marks word starts for whole-word masking; omitted = every token starts a word. */
  segmenter?: Segmenter;
  /** Stop after this many kept documents (smoke runs). */
  maxDocuments?: number;
}

export interface PreparedData {
  vocab: string[];
  tokenizer: CharTokenizer;
  train: PackedCorpus;
  heldout: PackedCorpus;
  counts: CleanCounts & {
    trainDocuments: number;
    heldoutDocuments: number;
    trainTokens: number;
    heldoutTokens: number;
    unknownTokens: number;
    files: number;
    excludedTexts: number;
  };
}

/**
 * Runs the whole data pipeline in memory (tokens are Int32: ~45 MB for the 11M-token shared corpus).
 * @example
 * const data = await prepareData({
 *   sources: [{ path: 'corpora/*.csv' }],
 *   baseVocab: readVocab(vocabTxt),
 *   maxSeqLen: 128,
 * });
 * data.train.size; // → chunks of 126 tokens
 * data.counts;     // → { read, duplicates, kept, trainTokens, … }
 */
export async function prepareData(options: PrepareOptions): Promise<PreparedData> {
  const kind = options.vocab ?? 'bert';
  if (!(VOCAB_KINDS as readonly string[]).includes(kind))
    throw new ConfigError(`vocab '${kind}' unknown; expected one of ${VOCAB_KINDS.join(', ')}`);
  const percent = options.heldoutPercent ?? 1;
  if (!(percent > 0 && percent < 100)) throw new ConfigError(`heldoutPercent must be in (0, 100), got ${percent}`);
  const baseTok = new CharTokenizer(options.baseVocab);
  const cleaner = new Cleaner(options.clean);
  let excludedTexts = 0;
  if (options.decontaminate && options.decontaminate.length > 0) {
    const texts: string[] = [];
    for await (const doc of readCorpus(options.decontaminate)) texts.push(doc.text);
    excludedTexts = cleaner.exclude(texts);
  }
  const useCounts = new Uint32Array(options.baseVocab.length);
  const streams = { train: new TokenStream(baseTok.special.sep), heldout: new TokenStream(baseTok.special.sep) };
  const files = new Set<string>();
  const repeats: TokenStream[] = []; // repeats[k]: the (k + 2)-th copies of weighted documents
  let unknownTokens = 0;
  for await (const doc of readCorpus(options.sources)) {
    files.add(doc.source);
    const text = cleaner.clean(doc.text);
    if (text === undefined) continue;
    const { ids, starts } = baseTok.tokenize(text);
    if (ids.length === 0) continue;
    for (const id of ids) {
      useCounts[id]!++;
      if (id === baseTok.special.unk) unknownTokens++;
    }
    const wordStart = options.segmenter ? wordStarts(text, starts, options.segmenter) : undefined;
    const heldout = fnv1a(text) % 10000 < percent * 100;
    if (heldout) streams.heldout.append(ids, wordStart);
    else
      for (let copy = 0, n = copies(text, doc.weight); copy < n; copy++) {
        // Repeats go to later rounds, so no chunk holds a document twice (the MLM could copy the answer).
        if (copy > 0) (repeats[copy - 1] ??= new TokenStream(baseTok.special.sep)).append(ids, wordStart);
        else streams.train.append(ids, wordStart);
      }
    if (options.maxDocuments !== undefined && cleaner.counts.kept >= options.maxDocuments) break;
  }
  for (const round of repeats) streams.train.appendStream(round);
  let vocab = [...options.baseVocab];
  let tokens = { train: streams.train.tokens(), heldout: streams.heldout.tokens() };
  if (kind === 'corpus') {
    vocab = pruneVocab(options.baseVocab, useCounts, { minCount: options.minCount ?? 1, keep: keepSingleCharacters });
    const toNew = vocabMapping(vocab, options.baseVocab); // base id → new id (-1: dropped)
    const unk = vocab.indexOf('[UNK]');
    const remap = (t: Int32Array) =>
      Int32Array.from(t, (id) => {
        const n = toNew[id]!;
        return n >= 0 ? n : unk;
      });
    tokens = { train: remap(tokens.train), heldout: remap(tokens.heldout) };
  }
  const tokenizer = new CharTokenizer(vocab);
  const special = { cls: tokenizer.special.cls, sep: tokenizer.special.sep };
  const ws = (s: TokenStream) => (options.segmenter ? s.wordStarts() : undefined);
  const train = new PackedCorpus(tokens.train, ws(streams.train), options.maxSeqLen, special);
  const heldout = new PackedCorpus(tokens.heldout, ws(streams.heldout), options.maxSeqLen, special);
  if (train.size === 0)
    throw new ConfigError(
      `the corpus gives no training chunk of ${options.maxSeqLen} tokens ` +
        `(${tokens.train.length} tokens after cleaning)`,
    );
  return {
    vocab,
    tokenizer,
    train,
    heldout,
    counts: {
      ...cleaner.counts,
      trainDocuments: streams.train.documentCount,
      heldoutDocuments: streams.heldout.documentCount,
      trainTokens: tokens.train.length,
      heldoutTokens: tokens.heldout.length,
      unknownTokens,
      files: files.size,
      excludedTexts,
    },
  };
}

/**
 * How many times a training document enters the mix under its source's `weight`: the integer part always, one more
 * with probability equal to the fraction, decided by a hash of the text (salted so it is independent of the held-out
 * split), so the same documents are chosen on every run.
 * @example copies('好吃', 1) // → 1;  copies('好吃', 3) // → 3;  copies('好吃', 0.5) // → 0 or 1, always the same
 */
export function copies(text: string, weight: number): number {
  const whole = Math.floor(weight);
  const fraction = weight - whole;
  return whole + (fraction > 0 && (fnv1a(`weight:${text}`) % 10000) / 10000 < fraction ? 1 : 0);
}

/**
 * Single characters (CJK, punctuation, letters, with or without
 * `##`) are kept in a pruned vocabulary so no text loses coverage.
 */
function keepSingleCharacters(token: string): boolean {
  const t = token.startsWith('##') ? token.slice(2) : token;
  if ([...t].length !== 1) return false;
  return !token.startsWith('##') || !isCjk(t.codePointAt(0)!);
}

/**
 * Word-start flags for the tokens of `text` (token starts at `starts`): 1 where a segmenter word begins.
 * @example wordStarts('北京欢迎你', [0, 1, 2, 3, 4], () => ['北京', '欢迎', '你']) // → Uint8Array [1, 0, 1, 0, 1]
 */
export function wordStarts(text: string, starts: readonly number[], segmenter: Segmenter): Uint8Array {
  const flags = new Uint8Array(starts.length).fill(1);
  const words = segmenter(text);
  const boundaries = new Set<number>();
  let offset = 0;
  for (const w of words) {
    boundaries.add(offset);
    offset += w.length;
  }
  if (offset !== text.length) return flags; // segmenter changed the text: treat every token as a word
  for (let i = 1; i < starts.length; i++) if (!boundaries.has(starts[i]!)) flags[i] = 0;
  return flags;
}
