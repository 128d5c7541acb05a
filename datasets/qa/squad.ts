/**
 * Extractive reading comprehension in SQuAD layout — CMRC 2018 (trial, dev) and DRCD (Traditional Chinese) use it:
 * `{ data: [{ paragraphs: [{ context, qas: [{ id, question, answers: [{ text, answer_start }] }] }] }] }`.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../../framework/errors.js';

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
   * characters one to one, so answer offsets stay valid; a conversion that changes lengths is refused per example.
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
      const context = convert(paragraph.context);
      for (const qa of (paragraph.qas ?? []) as { id?: unknown; question?: unknown; answers?: unknown }[]) {
        const id = String(qa.id);
        if (typeof qa.question !== 'string') throw new DataError(`${file}: question ${id} has no question text`);
        if (context.length !== paragraph.context.length)
          throw new DataError(`${file}: question ${id}: the conversion changed the context's length`);
        const answers = ((qa.answers ?? []) as { text?: unknown; answer_start?: unknown }[]).map((a) => {
          if (typeof a.text !== 'string') throw new DataError(`${file}: question ${id}: an answer has no text`);
          const text = convert(a.text).trim();
          const given = typeof a.answer_start === 'number' ? a.answer_start : -1;
          const start = context.startsWith(text, given) ? given : nearest(context, text, given);
          if (start < 0 && !options.allowUnlocated)
            throw new DataError(`${file}: question ${id}: answer '${text}' is not in its context`);
          return { text, start };
        });
        out.push({ id, question: convert(qa.question), context, answers });
      }
    }
  }
  return out;
}

/** The occurrence of `text` in `context` closest to `hint`; -1 when there is none. */
function nearest(context: string, text: string, hint: number): number {
  let best = -1;
  for (let at = context.indexOf(text); at >= 0; at = context.indexOf(text, at + 1)) {
    if (best < 0 || Math.abs(at - hint) < Math.abs(best - hint)) best = at;
  }
  return best;
}
