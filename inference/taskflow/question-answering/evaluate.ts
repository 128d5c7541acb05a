/**
 * The CMRC 2018 evaluation (its official `cmrc2018_evaluate.py`, re-implemented): answers are compared after lower-
 * casing and removing the script's punctuation; EM is an exact match with any gold answer, F1 the best over gold
 * answers of the F1 of the longest common *substring* of the two token sequences, where every Chinese character is a
 * token and other runs are split into words (the script uses NLTK's word_tokenize there: here, word characters and
 * single other symbols — the same on CMRC's answers, which are Chinese text with numbers and names).
 */

/** The punctuation the official script ignores (its `sp_char`). */
const SP_CHARS = new Set([
  '-',
  ':',
  '_',
  '*',
  '^',
  '/',
  '\\',
  '~',
  '`',
  '+',
  '=',
  '，',
  '。',
  '：',
  '？',
  '！',
  '“',
  '”',
  '；',
  '’',
  '《',
  '》',
  '……',
  '·',
  '、',
  '「',
  '」',
  '（',
  '）',
  '－',
  '～',
  '『',
  '』',
]);
const CJK = /[\u4e00-\u9fa5]/;

/** Tokens of `text`: each Chinese character, and the words of what lies between (punctuation removed). */
export function mixedSegmentation(text: string): string[] {
  const out: string[] = [];
  let run = '';
  const flush = () => {
    if (run !== '') out.push(...(run.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? []));
    run = '';
  };
  for (const ch of text.toLowerCase().trim()) {
    if (SP_CHARS.has(ch)) continue;
    if (CJK.test(ch)) {
      flush();
      out.push(ch);
    } else run += ch;
  }
  flush();
  return out;
}

/** `text` lower-cased, trimmed, without the script's punctuation. */
export function removePunctuation(text: string): string {
  return [...text.toLowerCase().trim()].filter((ch) => !SP_CHARS.has(ch)).join('');
}

/** Length of the longest common contiguous run of two token sequences. */
function longestCommonSubstring(a: readonly string[], b: readonly string[]): number {
  let best = 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        row[j] = prev[j - 1]! + 1;
        if (row[j]! > best) best = row[j]!;
      }
    }
    prev = row;
  }
  return best;
}

/**
 * F1 of one prediction: the best over the gold answers.
 * @example cmrcF1(['北京大学'], '北京'); // → 0.667 (2 of 4 gold characters, 2 of 2 predicted)
 */
export function cmrcF1(answers: readonly string[], prediction: string): number {
  const pred = mixedSegmentation(prediction);
  let best = 0;
  for (const answer of answers) {
    const gold = mixedSegmentation(answer);
    const common = longestCommonSubstring(gold, pred);
    if (common === 0) continue;
    const precision = common / pred.length;
    const recall = common / gold.length;
    best = Math.max(best, (2 * precision * recall) / (precision + recall));
  }
  return best;
}

/**
 * Exact match of one prediction with any gold answer (punctuation and case ignored).
 * @example cmrcExactMatch(['《战国无双3》'], '战国无双3'); // → 1
 */
export function cmrcExactMatch(answers: readonly string[], prediction: string): number {
  const pred = removePunctuation(prediction);
  return answers.some((a) => removePunctuation(a) === pred) ? 1 : 0;
}

/**
 * EM and F1 (percentages) over a set; a question without a prediction counts 0, as in the official script.
 * @example cmrcScore([{ id: 'q1', answers: ['北京'] }], { q1: '北京' }); // → { em: 100, f1: 100, total: 1, unanswered: 0 }
 */
export function cmrcScore(
  gold: readonly { id: string; answers: readonly string[] }[],
  predictions: Readonly<Record<string, string>>,
): {
  em: number;
  f1: number;
  total: number;
  unanswered: number;
} {
  let em = 0;
  let f1 = 0;
  let unanswered = 0;
  for (const q of gold) {
    const prediction = predictions[q.id];
    if (prediction === undefined) {
      unanswered++;
      continue;
    }
    em += cmrcExactMatch(q.answers, prediction);
    f1 += cmrcF1(q.answers, prediction);
  }
  const n = Math.max(gold.length, 1);
  return { em: (100 * em) / n, f1: (100 * f1) / n, total: gold.length, unanswered };
}

/** EM and F1 (percentages) of a reader's answers, and how many it left empty. */
export interface QaScores {
  readonly em: number;
  readonly f1: number;
  readonly total: number;
  /** Answers left empty: no span scored at least the threshold (each counts 0, as a wrong answer). */
  readonly empty: number;
}

/**
 * CMRC 2018's EM and F1 of answers to `gold` (in order), an answer scoring below `threshold` counting as empty.
 * @example scoreAnswers(dev, answers, 0.001); // → { em: 2.73, f1: 12.06, total: 3219, empty: 416 } (the shipped model)
 */
export function scoreAnswers(
  gold: readonly { id: string; answers: readonly { text: string }[] }[],
  answers: readonly { answer: string; score: number }[],
  threshold = 0,
): QaScores {
  const predictions: Record<string, string> = {};
  let empty = 0;
  gold.forEach((q, i) => {
    const a = answers[i]!;
    const text = a.score < threshold ? '' : a.answer;
    if (text === '') empty++;
    predictions[q.id] = text;
  });
  const score = cmrcScore(
    gold.map((q) => ({ id: q.id, answers: q.answers.map((a) => a.text) })),
    predictions,
  );
  const round = (x: number) => Math.round(x * 100) / 100;
  return { em: round(score.em), f1: round(score.f1), total: score.total, empty };
}
