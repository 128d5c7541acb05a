/**
 * Baidu LAC's per-character tags (`n-B`, `nr-I`, `PER-B`, `LOC-I`, …: segmentation, part of speech and
 * PER/LOC/ORG/TIME in one) as features of a token-classification model. The tag layer reads
 * `[hidden; embedding(tag id)]` per character; ids are 0 for padding / `[CLS]` / `[SEP]`, 1 for a
 * character LAC gave no tag (whitespace) or a tag the model was not trained with, then the trained
 * tags in order. Training and run time both tag the whole text with `Lac.tagCharacters`, so the model
 * sees one distribution.
 */
import { ConfigError } from '../../../framework/errors.js';
import type { Lac } from '../lexical-analysis/lac.js';

/** Tag id of padding, `[CLS]` and `[SEP]`. */
export const PAD_LAC_TAG_ID = 0;
/** Tag id of a character without a (known) LAC tag. */
export const UNKNOWN_LAC_TAG_ID = 1;

/** What a model reads LAC tags with (JSON-safe; in `method.json` and `bundle.json`). */
export interface LacTagFeatures {
  /** LAC's tags in id order (`lac.vocab.tags`); tag k has feature id k + 2. */
  readonly tags: readonly string[];
  /** Width of the tag embedding. */
  readonly size: number;
}

/**
 * The feature's config, checked: a non-empty list without duplicates and a positive integer width.
 * @example
 * checkLacTagFeatures({ tags: ['n-B', 'n-I'], size: 32 }, 'method.json'); // the same object
 */
export function checkLacTagFeatures(value: unknown, where: string): LacTagFeatures {
  const f = value as Partial<LacTagFeatures> | null;
  if (
    typeof f !== 'object' ||
    f === null ||
    !Array.isArray(f.tags) ||
    f.tags.length === 0 ||
    f.tags.some((t) => typeof t !== 'string')
  ) {
    throw new ConfigError(
      `${where}: lacTags.tags must be a non-empty list of LAC tags, got ${JSON.stringify(f?.tags)}`,
    );
  }
  if (new Set(f.tags).size !== f.tags.length) throw new ConfigError(`${where}: lacTags.tags has duplicates`);
  if (!Number.isInteger(f.size) || f.size! < 1)
    throw new ConfigError(`${where}: lacTags.size must be a positive integer, got ${String(f.size)}`);
  return { tags: f.tags, size: f.size! };
}

/**
 * Feature ids of LAC character tags.
 * @example
 * const vocab = new LacCharTagVocab(['n-B', 'n-I', 'PER-B']);
 * vocab.ids(['PER-B', undefined, 'n-I', 'SEASON-B']); // [4, 1, 3, 1]
 */
export class LacCharTagVocab {
  private readonly index: Map<string, number>;

  constructor(readonly tags: readonly string[]) {
    if (new Set(tags).size !== tags.length) throw new ConfigError(`LAC tag list has duplicates: ${tags.join(', ')}`);
    this.index = new Map(tags.map((t, i) => [t, i + 2]));
  }

  /** Rows of the tag embedding: the tags plus padding and unknown. */
  get rows(): number {
    return this.tags.length + 2;
  }

  /** One id per character (holes of a sparse array, as `Lac.tagCharacters` leaves at whitespace, count as untagged). */
  ids(charTags: readonly (string | undefined)[]): number[] {
    return Array.from({ length: charTags.length }, (_, i) => {
      const t = charTags[i];
      return t === undefined ? UNKNOWN_LAC_TAG_ID : (this.index.get(t) ?? UNKNOWN_LAC_TAG_ID);
    });
  }

  /**
   * Feature ids of every character of every text (LAC on each whole text), aligned with `textChars`.
   * @example
   * await new LacCharTagVocab(lac.vocab.tags).textIds(lac, ['百度是']); // [[54, 55, 40]] (ORG-B, ORG-I, v-B)
   */
  async textIds(lac: Lac, texts: readonly string[]): Promise<number[][]> {
    return (await lac.tagCharacters(texts)).map((tags) => this.ids(tags));
  }
}
