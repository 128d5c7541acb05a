/**
 * Attachment scores against gold CoNLL-U trees. Reported three ways: all words (CoNLL 2018's rule —
 * punctuation included), without punctuation (gold UPOS `PUNCT`, the older convention), and LAS with
 * CoNLL 2018's label rule (universal part only, subtypes after ':' ignored) next to the full labels.
 */
import type { ConlluSentence } from './conllu.js';
import type { Parse } from './parser.js';

/** Attachment scores in percent. */
export interface AttachmentScores {
  readonly sentences: number;
  readonly words: number;
  /** All words, punctuation included (CoNLL 2018). */
  readonly uas: number;
  /** All words; the full label (subtype included) must match. */
  readonly las: number;
  /** All words; only the universal part of the label must match (CoNLL 2018's LAS). */
  readonly lasUniversal: number;
  readonly uasNoPunct: number;
  readonly lasNoPunct: number;
  /** Sentences whose predicted tree is entirely right (heads and full labels). */
  readonly completeMatch: number;
}

/**
 * Scores predicted parses (same segmentation as the gold) against gold sentences.
 * @example
 * attachmentScores(gold, parses).uas; // 61.2
 */
export function attachmentScores(gold: readonly ConlluSentence[], predicted: readonly Parse[]): AttachmentScores {
  let words = 0,
    uas = 0,
    las = 0,
    lasU = 0,
    np = 0,
    uasNp = 0,
    lasNp = 0,
    complete = 0;
  const universal = (l: string) => l.split(':')[0]!;
  gold.forEach((s, i) => {
    const p = predicted[i]!;
    let allRight = true;
    s.words.forEach((w, k) => {
      const headOk = p.heads[k] === w.head;
      const labelOk = headOk && p.deprels[k] === w.deprel;
      words++;
      if (headOk) uas++;
      if (labelOk) las++;
      if (headOk && universal(p.deprels[k] ?? '') === universal(w.deprel)) lasU++;
      if (w.upos !== 'PUNCT') {
        np++;
        if (headOk) uasNp++;
        if (labelOk) lasNp++;
      }
      if (!labelOk) allRight = false;
    });
    if (allRight) complete++;
  });
  const pct = (a: number, b: number) => Math.round((10000 * a) / Math.max(1, b)) / 100;
  return {
    sentences: gold.length,
    words,
    uas: pct(uas, words),
    las: pct(las, words),
    lasUniversal: pct(lasU, words),
    uasNoPunct: pct(uasNp, np),
    lasNoPunct: pct(lasNp, np),
    completeMatch: pct(complete, gold.length),
  };
}
