/**
 * The sentiment recipe's training mix: several review sets, deduplicated (within and across sources), decontaminated
 * against the evaluation texts (never trained on), a class-balanced dev slice held out per source, and each source
 * balanced by class (its majority class sampled down to its minority's count, optionally capped), so the mix's prior is
 * 50 / 50 whatever the sources' priors are.
 */
import { SeededRandom } from '../../../framework/random.js';
import { readReviews, reviewKey, sourceName, type Polarity, type Review } from './reviews.js';

/**
 * Characters two reviews must share in a row to count as the same review (a training review that shares this many with
 * an evaluation review is dropped): catches the same review cut or re-punctuated differently in another source.
 */
export const OVERLAP_CHARS = 20;

/** One source of the mix. */
export interface MixSource {
  /** Its name in the counts and dev slices (the file's base name, `sourceName`). */
  readonly name: string;
  /** Its reviews (`readReviews(file)`). */
  readonly reviews: readonly Review[];
  /** Hold out a class-balanced dev slice of it (sources without their own dev set). */
  readonly holdout: boolean;
}

/** How the mix is drawn. */
export interface MixOptions {
  /** Reviews per class held out of each `holdout` source. */
  readonly devPerClass: number;
  /** Training reviews per source at most (half of each class); unset: all its minority class allows. */
  readonly maxPerSource?: number;
  /** Reviews shorter than this (after {@link reviewKey}) are dropped. Default 2. */
  readonly minChars?: number;
  readonly seed: number;
}

/** What became of one source's reviews, in the order the filters apply. */
export interface SourceCounts {
  read: number;
  /** Shorter than `minChars`. */
  tooShort: number;
  /** The same text (key) twice in this source with both labels: all its copies are dropped. */
  conflicting: number;
  /** The same text as a review kept earlier (this source or one before it). */
  duplicate: number;
  /** Equal to an evaluation text, or sharing {@link OVERLAP_CHARS} characters in a row with one. */
  contaminated: number;
  /** Held out as this source's dev slice: [negative, positive]. */
  heldOut: [number, number];
  /** Left out to balance the classes (or by `maxPerSource`). */
  balancedAway: number;
  /** Trained on: [negative, positive]. */
  used: [number, number];
}

/** The mix: training reviews (every source balanced), the held-out dev slices, and the counts per source. */
export interface ReviewMix {
  readonly train: Review[];
  readonly dev: Readonly<Record<string, Review[]>>;
  readonly counts: Readonly<Record<string, SourceCounts>>;
}

/** Two reviews shorter than {@link OVERLAP_CHARS} are the same when one holds all of the other and it has this many. */
export const MIN_CONTAINED_CHARS = 10;

/**
 * A test for "this text is an evaluation text", on {@link reviewKey}s: equal keys, or a shared run of
 * min({@link OVERLAP_CHARS}, the shorter key's length) characters when that is at least {@link MIN_CONTAINED_CHARS} — a
 * training review holding a short evaluation review whole, or held whole in a long one (the same review cut short).
 * @example
 * const seen = contaminationCheck(['这个宾馆比较陈旧了，特价的房间也很一般。总体来说一般']);
 * seen('这个宾馆比较陈旧了,特价的房间也很一般.'); // → true (its 18 key characters are inside the test review)
 * seen('宾馆比较陈旧'); // → false (6 characters: too short to tell)
 */
export function contaminationCheck(evaluation: readonly string[]): (text: string) => boolean {
  const keys = new Set(evaluation.map(reviewKey));
  const runs = new Set<string>();
  const pieces = new Set<string>();
  const short: string[] = [];
  for (const key of keys) {
    for (let i = 0; i + OVERLAP_CHARS <= key.length; i++) runs.add(key.slice(i, i + OVERLAP_CHARS));
    for (let i = 0; i + MIN_CONTAINED_CHARS <= key.length; i++) pieces.add(key.slice(i, i + MIN_CONTAINED_CHARS));
    if (key.length >= MIN_CONTAINED_CHARS && key.length < OVERLAP_CHARS) short.push(key);
  }
  const all = [...keys];
  return (text) => {
    const key = reviewKey(text);
    if (keys.has(key)) return true;
    if (key.length < MIN_CONTAINED_CHARS) return false;
    if (key.length < OVERLAP_CHARS) {
      // Held whole in an evaluation review (searched only where its first characters occur in one).
      if (pieces.has(key.slice(0, MIN_CONTAINED_CHARS)) && all.some((k) => k.includes(key))) return true;
    } else {
      for (let i = 0; i + OVERLAP_CHARS <= key.length; i++) if (runs.has(key.slice(i, i + OVERLAP_CHARS))) return true;
    }
    return short.some((s) => key.includes(s));
  };
}

/**
 * Reads each file as a source of the mix (`holdout`: whether to hold out a dev slice of it).
 * @example mixSources([{ file: 'chnsenticorp_train.tsv', holdout: false }, { file: 'waimai_10k.csv', holdout: true }]);
 */
export function mixSources(files: readonly { file: string; holdout: boolean }[]): MixSource[] {
  return files.map(({ file, holdout }) => ({ name: sourceName(file), reviews: readReviews(file), holdout }));
}

/**
 * Builds the mix from `sources` in order (a text kept from an earlier source is a duplicate in a later one), never
 * keeping a review of `evaluation` (see {@link contaminationCheck}).
 * @example
 * const mix = buildMix(mixSources(files), [...csDev, ...csTest].map((r) => r.text), { devPerClass: 300, seed: 42 });
 * mix.counts.waimai_10k.used; // → [n, n]: as many negative as positive reviews
 */
export function buildMix(sources: readonly MixSource[], evaluation: readonly string[], options: MixOptions): ReviewMix {
  const contaminated = contaminationCheck(evaluation);
  const seen = new Set<string>();
  const train: Review[] = [];
  const dev: Record<string, Review[]> = {};
  const counts: Record<string, SourceCounts> = {};
  for (const [index, source] of sources.entries()) {
    const name = source.name;
    const c: SourceCounts = (counts[name] = {
      read: source.reviews.length,
      tooShort: 0,
      conflicting: 0,
      duplicate: 0,
      contaminated: 0,
      heldOut: [0, 0],
      balancedAway: 0,
      used: [0, 0],
    });
    const labels = labelsByKey(source.reviews);
    const kept: [Review[], Review[]] = [[], []];
    for (const review of source.reviews) {
      const key = reviewKey(review.text);
      if (key.length < (options.minChars ?? 2)) c.tooShort++;
      else if (labels.get(key) === 'both') c.conflicting++;
      else if (seen.has(key)) c.duplicate++;
      else if (contaminated(review.text)) {
        c.contaminated++;
        seen.add(key);
      } else {
        seen.add(key);
        kept[review.label].push(review);
      }
    }
    const random = new SeededRandom((options.seed * 1_000_003 + index * 7919) >>> 0);
    const [neg, pos] = kept.map((reviews) => random.shuffle(reviews)) as [Review[], Review[]];
    if (source.holdout) {
      const slice = [neg.splice(0, options.devPerClass), pos.splice(0, options.devPerClass)];
      c.heldOut = [slice[0]!.length, slice[1]!.length];
      dev[name] = [...slice[0]!, ...slice[1]!];
    }
    const cap = options.maxPerSource === undefined ? Infinity : Math.floor(options.maxPerSource / 2);
    const n = Math.min(neg.length, pos.length, cap);
    c.balancedAway = neg.length + pos.length - 2 * n;
    c.used = [n, n];
    train.push(...neg.slice(0, n), ...pos.slice(0, n));
  }
  return { train, dev, counts };
}

/** Each key's label in one source, or `'both'` when its copies disagree. */
function labelsByKey(reviews: readonly Review[]): Map<string, Polarity | 'both'> {
  const labels = new Map<string, Polarity | 'both'>();
  for (const r of reviews) {
    const key = reviewKey(r.text);
    const before = labels.get(key);
    labels.set(key, before === undefined || before === r.label ? r.label : 'both');
  }
  return labels;
}
