/**
 * Part-of-speech features for the parser from LAC: a word's tag is the type of LAC's tag on its first
 * character (`n`, `v`, `PER`, …) — for LAC's own words exactly what `Lac.analyze` reports, and for words
 * segmented elsewhere (treebanks, `fromSegments`) the type of the LAC word they start in. Training and
 * run time derive tags the same way, so the parser sees one distribution.
 */
import { ConfigError } from '../../../framework/errors.js';
import type { Lac } from '../lexical-analysis/lac.js';
import { typeOf } from '../lexical-analysis/user-dict.js';

/** Tag id of the root node. */
export const ROOT_TAG_ID = 0;
/** Tag id of a tag the parser was not trained with (and of words LAC gave no tag, e.g. whitespace). */
export const UNKNOWN_TAG_ID = 1;

/**
 * Each word's tag from per-character tags of the words' concatenation (`''` where none of the word's
 * characters has one).
 * @example
 * wordTagsFromCharacters(['百度', '是'], ['ORG-B', 'ORG-I', 'v-B']); // ['ORG', 'v']
 */
export function wordTagsFromCharacters(words: readonly string[], charTags: readonly (string | undefined)[]): string[] {
  let at = 0;
  return words.map((w) => {
    const n = Array.from(w).length;
    let tag = '';
    for (let k = at; k < at + n; k++) {
      const t = charTags[k];
      if (t !== undefined) {
        tag = typeOf(t);
        break;
      }
    }
    at += n;
    return tag;
  });
}

/**
 * LAC's tag for every word of every sentence (runs LAC on each sentence's characters).
 * @example
 * await lacWordTags(lac, [['百度', '是', '一家', '高科技', '公司']]); // [['ORG', 'v', 'm', 'n', 'n']]
 */
export async function lacWordTags(lac: Lac, sentences: readonly (readonly string[])[]): Promise<string[][]> {
  const charTags = await lac.tagCharacters(sentences.map((words) => words.join('')));
  return sentences.map((words, i) => wordTagsFromCharacters(words, charTags[i]!));
}

/**
 * The parser's tag vocabulary: ids 0 (root) and 1 (unknown), then the trained tags in order.
 * @example
 * const tags = new TagVocab(['n', 'v']);
 * tags.ids(['v', 'xyz']); // [0, 3, 1] (the root first)
 */
export class TagVocab {
  private readonly index: Map<string, number>;

  constructor(readonly tags: readonly string[]) {
    if (new Set(tags).size !== tags.length) throw new ConfigError(`parser tag list has duplicates: ${tags.join(', ')}`);
    this.index = new Map(tags.map((t, i) => [t, i + 2]));
  }

  /** Rows of the tag embedding: the tags plus root and unknown. */
  get size(): number {
    return this.tags.length + 2;
  }

  /** Node tag ids of one sentence: the root, then each word's tag. */
  ids(wordTags: readonly string[]): number[] {
    return [ROOT_TAG_ID, ...wordTags.map((t) => this.index.get(t) ?? UNKNOWN_TAG_ID)];
  }
}
