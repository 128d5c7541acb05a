/**
 * Extractive reading comprehension in SQuAD layout — CMRC 2018 (trial, dev) and DRCD (Traditional Chinese) use it:
 * `{ data: [{ paragraphs: [{ context, qas: [{ id, question, answers: [{ text, answer_start }] }] }] }] }`.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../../../framework/errors.js';

/** One question over one passage, with every gold answer (character offsets into `context`). */
export interface QaExample {
  readonly id: string;
  readonly question: string;
  readonly context: string;
  /** Gold answers; `start` is -1 for an answer not found in the context (only with `allowUnlocated`). */
  readonly answers: readonly { readonly text: string; readonly start: number }[];
}

/** Options of {@link readSquad}. */
export interface SquadOptions {
  /**
   * Applied to context, question and answers alike (e.g. Traditional → Simplified for DRCD with opencc-js). It must map
   * characters one to one, so answer offsets stay valid: a context whose length it changes (a phrase rule, a character
   * outside the BMP) is converted character by character instead, keeping the characters whose conversion would change
   * the length. Answers are located in the original context and read back from the converted one.
   */
  readonly convert?: (text: string) => string;
  /**
   * Keep answers that are not in their context, with `start` -1 (CMRC 2018 dev has a few: its gold answers are
   * strings for the metric). Default false: training needs spans, so such an answer is a DataError.
   */
  readonly allowUnlocated?: boolean;
}

/**
 * Reads a SQuAD-layout file. Answers whose text is not at `answer_start` in the context are located by search (some
 * CMRC answers carry an offset one off); an answer not in the context at all is a DataError naming the question.
 * @example readSquad('../shared/corpora/cmrc2018_dev.json').length; // → 3219
 */
export function readSquad(file: string, options: SquadOptions = {}): QaExample[] {
  let root: unknown;
  try {
    root = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataError(`${file}: not SQuAD JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const data = (root as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new DataError(`${file}: expected { data: [...] } (SQuAD layout)`);
  const convert = options.convert ?? ((t: string) => t);
  const out: QaExample[] = [];
  for (const article of data as { paragraphs?: unknown }[]) {
    for (const paragraph of (article.paragraphs ?? []) as { context?: unknown; qas?: unknown }[]) {
      if (typeof paragraph.context !== 'string') throw new DataError(`${file}: a paragraph has no context string`);
      const original = paragraph.context;
      const context = convertSameLength(original, convert);
      for (const qa of (paragraph.qas ?? []) as { id?: unknown; question?: unknown; answers?: unknown }[]) {
        const id = String(qa.id);
        if (typeof qa.question !== 'string') throw new DataError(`${file}: question ${id} has no question text`);
        const answers = ((qa.answers ?? []) as { text?: unknown; answer_start?: unknown }[]).map((a) => {
          if (typeof a.text !== 'string') throw new DataError(`${file}: question ${id}: an answer has no text`);
          const text = a.text.trim();
          const given = typeof a.answer_start === 'number' ? a.answer_start : -1;
          const start = original.startsWith(text, given) ? given : nearest(original, text, given);
          if (start >= 0) return { text: context.slice(start, start + text.length), start };
          if (!options.allowUnlocated)
            throw new DataError(`${file}: question ${id}: answer '${text}' is not in its context`);
          return { text: convert(text), start };
        });
        out.push({ id, question: convert(qa.question), context, answers });
      }
    }
  }
  return out;
}

/**
 * `text` converted with its length (in UTF-16 units, the offsets' unit) kept: whole, else character by character,
 * keeping a character whose conversion has another length (OpenCC turns 勣 into 𪟝, outside the BMP).
 */
function convertSameLength(text: string, convert: (text: string) => string): string {
  const whole = convert(text);
  if (whole.length === text.length) return whole;
  return Array.from(text, (c) => {
    const d = convert(c);
    return d.length === c.length ? d : c;
  }).join('');
}

/** The occurrence of `text` in `context` closest to `hint`; -1 when there is none. */
function nearest(context: string, text: string, hint: number): number {
  let best = -1;
  for (let at = context.indexOf(text); at >= 0; at = context.indexOf(text, at + 1)) {
    if (best < 0 || Math.abs(at - hint) < Math.abs(best - hint)) best = at;
  }
  return best;
}
