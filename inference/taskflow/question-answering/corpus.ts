/**
 * The reader's training data: SQuAD-layout files (CMRC 2018 trial; DRCD converted from Traditional script with
 * opencc-js), decontaminated against the evaluation set, and cut into labelled windows.
 */
import * as OpenCC from 'opencc-js';
import type { QaFeaturizer } from './features.js';
import type { QaTrainWindow } from './span-model.js';
import { readSquad, type QaExample } from './squad.js';

/** Characters two passages must share in a row to count as the same text (decontamination). */
export const OVERLAP_CHARS = 32;

/** Training questions, and how many each filter dropped. */
export interface QaTrainingSet {
  readonly examples: QaExample[];
  readonly read: number;
  /** Questions whose passage shares {@link OVERLAP_CHARS} characters in a row with an evaluation passage. */
  readonly contaminated: number;
}

/**
 * Reads the training files (Traditional ones converted tw → cn) and drops every question whose passage shares
 * {@link OVERLAP_CHARS} characters in a row with a passage of `heldOut` (the evaluation set: never trained on).
 * @example
 * const set = readQaTraining(['cmrc2018_trial.json'], ['drcd_dev.json', 'drcd_test.json'], readSquad('dev.json'));
 * set.examples.length; // → 8,019 (CMRC 2018 trial + DRCD dev and test; none overlap CMRC 2018 dev)
 */
export function readQaTraining(
  simplified: readonly string[],
  traditional: readonly string[],
  heldOut: readonly QaExample[],
): QaTrainingSet {
  const convert = traditional.length > 0 ? OpenCC.Converter({ from: 'tw', to: 'cn' }) : undefined;
  const all = [
    ...simplified.flatMap((f) => readSquad(f)),
    ...traditional.flatMap((f) => readSquad(f, { convert: convert! })),
  ];
  const runs = new Set<string>();
  for (const context of new Set(heldOut.map((x) => x.context)))
    for (let i = 0; i + OVERLAP_CHARS <= context.length; i++) runs.add(context.slice(i, i + OVERLAP_CHARS));
  const verdict = new Map<string, boolean>();
  const clean = (context: string): boolean => {
    let ok = verdict.get(context);
    if (ok === undefined) {
      ok = true;
      for (let i = 0; ok && i + OVERLAP_CHARS <= context.length; i++)
        ok = !runs.has(context.slice(i, i + OVERLAP_CHARS));
      verdict.set(context, ok);
    }
    return ok;
  };
  const examples = all.filter((x) => clean(x.context));
  return { examples, read: all.length, contaminated: all.length - examples.length };
}

/** Labelled windows of the questions that fit, and how many did not. */
export interface QaTrainWindows {
  readonly windows: QaTrainWindow[];
  /** Questions kept (their first gold answer lies whole in a window and spans at most `maxAnswerTokens`). */
  readonly questions: number;
  /** Questions dropped: the answer is longer than `maxAnswerTokens` or than any window holds. */
  readonly unfit: number;
}

/**
 * The windows of every question, labelled with the first gold answer's tokens (`[CLS]` in windows without it): every
 * window that holds the answer, and of the others a seeded `negativeRate` share (1: all, BERT's recipe; less spends a
 * short run on more questions).
 * @example trainWindows(featurizer, examples, { maxAnswerTokens: 64 }).windows[0]; // → { window, start: 23, end: 26 }
 */
export function trainWindows(
  featurizer: QaFeaturizer,
  examples: readonly QaExample[],
  options: { readonly maxAnswerTokens: number; readonly negativeRate?: number; readonly seed?: number },
): QaTrainWindows {
  const { maxAnswerTokens, negativeRate = 1 } = options;
  let state = (options.seed ?? 42) >>> 0 || 1;
  const keepNegative = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0; // an LCG: the same windows for the same seed
    return state / 2 ** 32 < negativeRate;
  };
  const windows: QaTrainWindow[] = [];
  let unfit = 0;
  for (const x of examples) {
    const answer = x.answers[0];
    if (answer === undefined || answer.start < 0) {
      unfit++;
      continue;
    }
    const own = featurizer.windows(x.question, x.context);
    const spans = own.map((w) => featurizer.answerTokens(w, answer.start, answer.start + answer.text.length));
    if (!spans.some((s) => s !== undefined && s[1] - s[0] < maxAnswerTokens)) {
      unfit++;
      continue;
    }
    own.forEach((window, k) => {
      const span = spans[k];
      if (span || keepNegative()) windows.push({ window, start: span?.[0] ?? 0, end: span?.[1] ?? 0 });
    });
  }
  return { windows, questions: examples.length - unfit, unfit };
}
