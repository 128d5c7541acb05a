/**
 * What the poetry model card reports: the held-out perplexity (every token of the held-out poems, from the run's
 * report), and per decoding mode of the `poetry_generation` task, on the first line of each held-out poem, how often
 * the answer has the right form (，+ as many characters as the first line + 。), copies the real second line, is
 * distinct from the other answers, and repeats one character three times; plus the answers for a fixed list of first
 * lines. `shipPoetryModel` writes the shipped directory: F16 weights, `evaluation.json`, the loss curve.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { type CurvePoint, trainingCurveSvg } from '../../../framework/tracking/curve-svg.js';
import { TextGenerator, type TextGenerationOptions } from './generator.js';
import { GPT_FILES } from './gpt-dir.js';
import { POETRY_DECODING } from './task.js';
import type { PoetryTrainReport } from './train.js';

/** First lines the card shows verbatim for every mode. */
export const SAMPLE_FIRST_LINES = [
  '深山不见人',
  '床前明月光',
  '白日依山尽',
  '春眠不觉晓',
  '空山新雨后',
  '独坐幽篁里',
  '故人西辞黄鹤楼',
  '两个黄鹂鸣翠柳',
  '秋风吹不尽',
  '明月松间照',
] as const;

/** How many held-out first lines the distinctness figure counts (issue #25: 50). */
export const DISTINCT_LINES = 50;

/** The scores of one decoding mode's answers to the held-out first lines. */
export interface ModeScores {
  firstLines: number;
  rightForm: number;
  exactSecondLine: number;
  /** Distinct answers among the first {@link DISTINCT_LINES} (rate 0–1). */
  distinctRate: number;
  /** Answers in which one character occurs three times or more … */
  tripleRepeats: number;
  /** … among the first {@link DISTINCT_LINES}. */
  tripleRepeatsHead: number;
}

/** The first line of a poem body (up to the first '，'). */
export const firstLineOf = (poem: string): string => poem.slice(0, poem.indexOf('，'));

/**
 * Whether some character (not punctuation) occurs at least three times in a line.
 * @example repeatsThrice('，不人不不人。'); // → true
 */
export function repeatsThrice(line: string): boolean {
  const counts = new Map<string, number>();
  for (const ch of line.replace(/[，。]/g, '')) {
    const n = (counts.get(ch) ?? 0) + 1;
    if (n >= 3) return true;
    counts.set(ch, n);
  }
  return false;
}

/**
 * Scores answers to held-out first lines against the poems they come from.
 * @example
 * scoreAnswers(['床前明月光，疑是地上霜。…'], ['，疑是地上霜。']).exactSecondLine; // → 1
 */
export function scoreAnswers(poems: readonly string[], answers: readonly string[]): ModeScores {
  const firstLines = poems.map(firstLineOf);
  const second = poems.map((p) => p.slice(p.indexOf('，'), p.indexOf('。') + 1));
  const form = (a: string, i: number) =>
    new RegExp(`^，[\\u4e00-\\u9fff]{${[...firstLines[i]!].length}}。$`, 'u').test(a);
  const head = answers.slice(0, DISTINCT_LINES);
  return {
    firstLines: poems.length,
    rightForm: answers.filter(form).length,
    exactSecondLine: answers.filter((a, i) => a === second[i]).length,
    distinctRate: head.length === 0 ? 0 : new Set(head).size / head.length,
    tripleRepeats: answers.filter(repeatsThrice).length,
    tripleRepeatsHead: head.filter(repeatsThrice).length,
  };
}

/** One mode's scores, its options, the seconds it took and its answers to {@link SAMPLE_FIRST_LINES}. */
export interface ModeEvaluation extends ModeScores {
  options: TextGenerationOptions;
  seconds: number;
  examples: { text: string; answer: string }[];
}

/** Runs every `poetry_generation` mode of a model directory on the held-out first lines. */
export async function evaluateModes(dir: string, heldout: readonly string[]): Promise<Record<string, ModeEvaluation>> {
  const gen = await TextGenerator.load(dir);
  const firstLines = heldout.map(firstLineOf);
  const modes: Record<string, ModeEvaluation> = {};
  for (const [mode, options] of Object.entries(POETRY_DECODING)) {
    const started = Date.now();
    const answers = (await gen.generate(firstLines, { ...options, stopText: '。' })).map((g) => g.continuation);
    const seconds = (Date.now() - started) / 1000;
    const examples = (await gen.generate([...SAMPLE_FIRST_LINES], { ...options, stopText: '。' })).map((g) => ({
      text: g.text,
      answer: g.continuation,
    }));
    modes[mode] = { options, ...scoreAnswers(heldout, answers), seconds, examples };
  }
  return modes;
}

/**
 * Writes a finished run (`run`: the F32 model directory and training_report.json) as the shipped model directory
 * `ship`: F16 weights, config, vocabulary, `loss-curve.svg` (and `.png` when rsvg-convert is installed) and
 * `evaluation.json`.
 */
export async function shipPoetryModel(
  run: string,
  ship: string,
  heldout: readonly string[],
  report: PoetryTrainReport,
) {
  mkdirSync(ship, { recursive: true });
  for (const f of [GPT_FILES.config, GPT_FILES.vocab]) writeFileSync(join(ship, f), readFileSync(join(run, f)));
  writeSafetensors(join(ship, GPT_FILES.weights), readSafetensors(join(run, GPT_FILES.weights)), {
    dtype: 'F16',
    metadata: { format: 'pt', producer: 'fewprompt taskflow-train poetry_generation' },
  });
  const points: CurvePoint[] = [
    ...report.history.filter((h) => h.loss !== undefined).map((h) => ({ step: h.step, loss: h.loss })),
    ...report.curve.map((c) => ({ step: c.step, dev: c.heldoutLoss })),
  ].sort((a, b) => a.step - b.step);
  const top = Math.max(...points.map((p) => p.loss ?? 0));
  const labels = { loss: 'training loss', dev: 'held-out loss (same scale)' };
  writeFileSync(join(ship, 'loss-curve.svg'), trainingCurveSvg(points, 640, 280, labels, [0, top]));
  try {
    execFileSync('rsvg-convert', ['-o', join(ship, 'loss-curve.png'), join(ship, 'loss-curve.svg')]);
  } catch {
    /* SVG only */
  }
  const evaluation = {
    heldoutLoss: report.heldoutLoss,
    heldoutPerplexity: report.heldoutPerplexity,
    heldoutTokens: report.heldoutTokens,
    steps: report.steps,
    tokensSeen: report.tokensSeen,
    epochs: report.epochs,
    trainSeconds: report.trainSeconds,
    modelBytes: statSync(join(ship, GPT_FILES.weights)).size,
    modes: await evaluateModes(ship, heldout),
  };
  writeFileSync(join(ship, 'evaluation.json'), `${JSON.stringify(evaluation, null, 1)}\n`);
  return evaluation;
}
