/**
 * The n-gram model's training text: the project's corpus reader (framework/pretrain/corpus.ts) and
 * cleaner (normalisation, exact de-duplication), decontaminated against evaluation sentences, split
 * into sentences, and mapped through the model's alphabet ({@link lmChar}).
 *
 * Decontamination is stricter than the pretraining config's whole-document match, because an
 * evaluation sentence can sit inside a long paragraph: a document is dropped when it shares any
 * {@link WINDOW}-character window with an evaluation sentence (its erroneous or its corrected form), or
 * contains a whole evaluation sentence shorter than that (of at least {@link MIN_SHORT} characters).
 */
import { Cleaner } from '../../../framework/pretrain/clean.js';
import { type CorpusSource, readCorpus } from '../../../framework/pretrain/corpus.js';
import { BOS, EOS, lmChar, SPECIAL_TOKENS, UNK } from './ngram-lm.js';

/** Window length of the decontamination check, in characters. */
export const WINDOW = 12;
/** Shorter evaluation sentences than this are common phrases, not items: not checked. */
export const MIN_SHORT = 6;

/** Counts of what the reader saw. */
export interface LmCorpusCounts {
  documents: number;
  /** Dropped as duplicates, too short or empty by the cleaner. */
  cleanedAway: number;
  /** Dropped because they share text with an evaluation sentence. */
  contaminated: number;
  sentences: number;
  characters: number;
}

/** Finds evaluation text inside corpus documents. */
export class Decontaminator {
  private readonly windows = new Set<string>();
  /** Whole short sentences, keyed by their first {@link MIN_SHORT} characters. */
  private readonly short = new Map<string, string[]>();

  /** `texts`: evaluation sentences, compared in the model's alphabet. */
  constructor(texts: Iterable<string>) {
    for (const text of texts) {
      const t = toAlphabet(text);
      const n = Array.from(t).length;
      if (n >= WINDOW) for (const w of codePointWindows(t, WINDOW)) this.windows.add(w);
      else if (n >= MIN_SHORT) {
        const key = [...t].slice(0, MIN_SHORT).join('');
        this.short.set(key, [...(this.short.get(key) ?? []), t]);
      }
    }
  }

  /** Whether `text` (already in the model's alphabet) contains evaluation text. */
  contains(text: string): boolean {
    // Code units are code points unless the text has surrogate pairs (rare): then pay for the split.
    const chars: string | string[] = /[\ud800-\udfff]/.test(text) ? Array.from(text) : text;
    const piece = (from: number, n: number): string =>
      typeof chars === 'string' ? chars.slice(from, from + n) : chars.slice(from, from + n).join('');
    const rest = (from: number): string => (typeof chars === 'string' ? chars.slice(from) : chars.slice(from).join(''));
    for (let i = 0; i + MIN_SHORT <= chars.length; i++) {
      if (i + WINDOW <= chars.length && this.windows.has(piece(i, WINDOW))) return true;
      if (this.short.size > 0 && this.short.get(piece(i, MIN_SHORT))?.some((s) => rest(i).startsWith(s))) return true;
    }
    return false;
  }
}

function* codePointWindows(text: string, n: number): Generator<string> {
  const chars = Array.from(text);
  for (let i = 0; i + n <= chars.length; i++) yield chars.slice(i, i + n).join('');
}

/**
 * A text in the model's alphabet.
 * @example toAlphabet('我有3个,好') // → '我有0个，好'
 */
export function toAlphabet(text: string): string {
  let out = '';
  for (const ch of text) out += lmChar(ch);
  return out.replace(/ {2,}/g, ' ').trim();
}

/**
 * Sentences of a document: ends after 。！？ (and closing quotes after them); pieces shorter than two
 * characters are dropped.
 * @example splitSentences('你好。我是他！”好') // → ['你好。', '我是他！”'] (the last piece, 1 character, dropped)
 */
export function splitSentences(text: string): string[] {
  return (text.match(/[^。！？]+(?:[。！？]+[”’」』）]*|$)|[。！？]+/g) ?? [])
    .map((s) => s.trim())
    .filter((s) => Array.from(s).length >= 2);
}

/** Options of {@link readLmCorpus}. */
export interface LmCorpusOptions {
  readonly sources: readonly CorpusSource[];
  /** Evaluation sentences that must not be trained on. */
  readonly exclude: Iterable<string>;
  /** Keep at most this many characters per corpus file (a very large file would dominate); default all. */
  readonly maxCharsPerFile?: number;
}

/**
 * Reads, cleans, decontaminates and splits the corpus; sentences are grouped by the file they came from.
 * @example
 * const { files, counts } = await readLmCorpus({ sources: [{ path: 'corpus.txt' }], exclude: testTexts });
 * files.get('/…/corpus.txt'); // → ['第一句。', '第二句！', …]
 */
export async function readLmCorpus(
  options: LmCorpusOptions,
): Promise<{ files: Map<string, string[]>; counts: LmCorpusCounts }> {
  const cleaner = new Cleaner({ minChars: 2 });
  const decontaminator = new Decontaminator(options.exclude);
  const counts: LmCorpusCounts = { documents: 0, cleanedAway: 0, contaminated: 0, sentences: 0, characters: 0 };
  const files = new Map<string, string[]>();
  const perFile = new Map<string, number>();
  const cap = options.maxCharsPerFile ?? Infinity;
  for await (const doc of readCorpus(options.sources)) {
    counts.documents++;
    const used = perFile.get(doc.source) ?? 0;
    if (used >= cap) continue;
    const text = cleaner.clean(doc.text);
    if (text === undefined) {
      counts.cleanedAway++;
      continue;
    }
    const alphabet = toAlphabet(text);
    if (decontaminator.contains(alphabet)) {
      counts.contaminated++;
      continue;
    }
    let list = files.get(doc.source);
    if (!list) files.set(doc.source, (list = []));
    for (const s of splitSentences(alphabet)) {
      list.push(s);
      counts.sentences++;
      counts.characters += s.length;
    }
    perFile.set(doc.source, used + alphabet.length);
  }
  return { files, counts };
}

/**
 * The vocabulary (specials, then characters seen at least `minCount` times, most frequent first, at most
 * `maxSize` tokens in all; or `vocab` when given) and the token stream `<s> … </s> <s> …` of the sentences.
 * @example encodeCorpus(['好吃', '好'], { minCount: 1 }).vocab // → ['<s>', '</s>', '<unk>', '好', '吃']
 */
export function encodeCorpus(
  sentences: readonly string[],
  options: { minCount: number; maxSize?: number; vocab?: readonly string[] },
): { vocab: readonly string[]; tokens: Uint16Array } {
  let length = 0;
  for (const s of sentences) for (const _ of s) length++;
  const vocab = options.vocab ?? countedVocab(sentences, options.minCount, options.maxSize ?? 0xffff);
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  const tokens = new Uint16Array(length + 2 * sentences.length);
  let at = 0;
  for (const s of sentences) {
    tokens[at++] = BOS;
    for (const ch of s) tokens[at++] = index.get(ch) ?? UNK;
    tokens[at++] = EOS;
  }
  return { vocab, tokens };
}

function countedVocab(sentences: readonly string[], minCount: number, maxSize: number): string[] {
  const freq = new Map<string, number>();
  for (const s of sentences) for (const ch of s) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  const chars = [...freq.entries()]
    .filter(([ch, n]) => n >= minCount && ch !== '\n' && !SPECIAL_TOKENS.includes(ch))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxSize - SPECIAL_TOKENS.length)
    .map(([ch]) => ch);
  return [...SPECIAL_TOKENS, ...chars];
}
