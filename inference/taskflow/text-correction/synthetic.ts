/**
 * Synthetic spelling errors (the recipe of Wang et al. 2018 and ERNIE-CSC's data augmentation): take
 * clean sentences, replace one to three characters by characters from their confusion sets (sound-
 * and shape-alike), sometimes by a random common character, and leave some sentences clean so the
 * model also learns when not to correct.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../../../framework/errors.js';
import type { SeededRandom } from '../../../framework/random.js';
import type { CscPair } from './sighan.js';
import { isHanzi, type ConfusionSet } from './confusion.js';

/** How errors are made. */
export interface CorruptOptions {
  /** Share of sentences left clean (default 0.25). */
  readonly cleanRate?: number;
  /** Share of replacements drawn from the whole character pool instead of the confusion set (default 0.1). */
  readonly randomRate?: number;
}

/**
 * Sentences of a raw text: split after 。！？；!? and newlines, trimmed, kept when 8–100 characters
 * long and at least 70% hanzi (drops tables, URLs and lists).
 * @example sentencesOf('今天天气很好。我们去公园散步吧！ok') // → ['今天天气很好。', '我们去公园散步吧！']
 */
export function sentencesOf(text: string): string[] {
  const out: string[] = [];
  for (const piece of text.split(/(?<=[。！？；!?])|\r?\n/)) {
    const s = piece.trim();
    const chars = Array.from(s);
    if (chars.length < 6 || chars.length > 100) continue;
    if (chars.filter(isHanzi).length / chars.length >= 0.7) out.push(s);
  }
  return out;
}

/**
 * Clean sentences from corpus files: `.txt` as lines of text, `.csv` as its last column (reviews),
 * THUCNews-style `title<TAB>label` lines as the title.
 * @example readCorpusSentences(['../shared/corpora/clue_corpus_small_sampled.txt']).length // → ≈ 20k
 */
export function readCorpusSentences(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new DataError(`cannot read corpus ${file}: ${(error as Error).message}`);
    }
    const lines = text.split(/\r?\n/).map((line) => {
      if (file.endsWith('.csv')) return line.slice(line.lastIndexOf(',') + 1);
      const tab = line.indexOf('\t');
      return tab >= 0 ? line.slice(0, tab) : line;
    });
    return sentencesOf(lines.join('\n'));
  });
}

/**
 * Makes errors in `sentence`; `pool` is what random replacements draw from.
 * @example
 * corrupt('我们去公园', 'x', confusion, ['的'], new SeededRandom(1));
 * // → { id: 'x', source: '我们去公圆', target: '我们去公园' } (for example)
 */
export function corrupt(
  sentence: string,
  id: string,
  confusion: ConfusionSet,
  pool: readonly string[],
  rng: SeededRandom,
  options: CorruptOptions = {},
): CscPair {
  const chars = Array.from(sentence);
  if (rng.next() < (options.cleanRate ?? 0.25)) return { id, source: sentence, target: sentence };
  const slots = chars.flatMap((c, i) => (confusion.candidates(c).size > 0 ? [i] : []));
  const r = rng.next();
  const count = Math.min(slots.length, r < 0.7 ? 1 : r < 0.93 ? 2 : 3);
  rng.shuffle(slots);
  const source = [...chars];
  for (const i of slots.slice(0, count)) {
    if (rng.next() < (options.randomRate ?? 0.1) && pool.length > 0) {
      source[i] = pool[rng.int(pool.length)]!;
    } else {
      const cands = [...confusion.candidates(chars[i]!)];
      source[i] = cands[rng.int(cands.length)]!;
    }
  }
  return { id, source: source.join(''), target: sentence };
}
