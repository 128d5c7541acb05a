import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { ConfigError, UnknownKindError } from '../../framework/errors.js';
import {
  helpLines,
  type SettingsTable,
  settingsArgOptions,
  settingsFromArgs,
  settingsHelp,
} from '../../framework/settings.js';
import {
  DEPENDENCY_PARSER_SETTINGS,
  type DependencyParserTrainOptions,
} from '../../inference/taskflow/dependency-parsing/train-options.js';
import { NER_SETTINGS, type NerTrainOptions } from '../../inference/taskflow/ner/train-options.js';
import { POETRY_SETTINGS, type PoetryTrainOptions } from '../../inference/taskflow/poetry-generation/train-options.js';
import {
  QUESTION_ANSWERING_SETTINGS,
  type QuestionAnsweringTrainOptions,
} from '../../inference/taskflow/question-answering/train-options.js';
import {
  SENTIMENT_SETTINGS,
  type SentimentTrainOptions,
} from '../../inference/taskflow/sentiment-analysis/train-options.js';
import {
  CORRECTION_LM_SETTINGS,
  type CorrectionLmOptions,
  TEXT_CORRECTION_SETTINGS,
  type TextCorrectionTrainOptions,
} from '../../inference/taskflow/text-correction/train-options.js';
import type { Command } from './command.js';

/**
 * A Taskflow family that trains its own model: its settings table (flags and `--help` derive from it) and its
 * recipe, whose code loads only when it runs. Add a family here when its folder has a `train.ts`.
 */
export interface TrainableTask {
  readonly kind: string;
  readonly summary: string;
  readonly settings: SettingsTable;
  /** Trains with the options parsed from the flags (absent ones take the table's defaults); one line of result. */
  train(options: Record<string, unknown>): Promise<string>;
}

const pct = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(2));

export const TRAINABLE_TASKS: readonly TrainableTask[] = [
  {
    kind: 'dependency_parsing',
    summary: 'biaffine parser on UD Chinese GSD (inference/taskflow/dependency-parsing/)',
    settings: DEPENDENCY_PARSER_SETTINGS,
    async train(options) {
      const { trainDependencyParser } = await import('../../inference/taskflow/dependency-parsing/train.js');
      const r = await trainDependencyParser(options as Partial<DependencyParserTrainOptions>);
      const onnx = r.devOnnx
        ? `; bundle ${r.bundle} (ONNX Runtime): UAS ${pct(r.devOnnx.uas)}, LAS ${pct(r.devOnnx.las)}`
        : '';
      return `dependency_parsing → ${r.out}: dev UAS ${pct(r.devTfjs?.uas)}, LAS ${pct(r.devTfjs?.las)} (tfjs)${onnx}`;
    },
  },
  {
    kind: 'ner',
    summary: "mode accurate: token classification with LAC's tags on CLUENER2020, MSRA first (inference/taskflow/ner/)",
    settings: NER_SETTINGS,
    async train(options) {
      const { trainNer } = await import('../../inference/taskflow/ner/train.js');
      const r = await trainNer(options as Partial<NerTrainOptions>);
      const f1 = (name: string) => {
        const s = r.dev[name];
        return s ? `F1 ${pct(s.f1 * 100)} (P ${pct(s.precision * 100)}, R ${pct(s.recall * 100)})` : '—';
      };
      const dev = `CLUENER dev INT8 ${f1('int8')}, FP32 ${f1('fp32')}`;
      return `ner → ${r.out} (${r.steps} steps; bundle ${r.bundle}): ${dev}`;
    },
  },
  {
    kind: 'poetry_generation',
    summary: 'character-level GPT on Tang quatrains and regulated verse (inference/taskflow/poetry-generation/)',
    settings: POETRY_SETTINGS,
    async train(options) {
      const { trainPoetryGpt } = await import('../../inference/taskflow/poetry-generation/train.js');
      const r = await trainPoetryGpt(options as Partial<PoetryTrainOptions>);
      const t = r.report;
      const modes = r.evaluation
        ? `; ${r.ship}: ${Object.entries(r.evaluation.modes)
            .map(([m, e]) => `${m}: distinct ${pct(e.distinctRate * 100)}%, triple repeats ${e.tripleRepeatsHead}`)
            .join(', ')}`
        : '';
      return (
        `poetry_generation → ${r.out}: ${t.steps} steps, ${t.epochs.toFixed(2)} epochs, held-out loss ` +
        `${t.heldoutLoss.toFixed(3)} (perplexity ${t.heldoutPerplexity.toFixed(1)})${modes}`
      );
    },
  },
  {
    kind: 'question_answering',
    summary:
      'span reader on CMRC 2018 trial and DRCD, scored on CMRC 2018 dev (inference/taskflow/question-answering/)',
    settings: QUESTION_ANSWERING_SETTINGS,
    async train(options) {
      const { trainQuestionAnswering } = await import('../../inference/taskflow/question-answering/train.js');
      const r = await trainQuestionAnswering(options as Partial<QuestionAnsweringTrainOptions>);
      const tfjs = r.devTfjs ? `dev (tfjs, ${r.devTfjs.total}) EM ${pct(r.devTfjs.em)}, F1 ${pct(r.devTfjs.f1)}` : '';
      const onnx = r.devOnnx
        ? `; bundle ${r.bundle} (ONNX Runtime, ${r.devOnnx.total}): EM ${pct(r.devOnnx.em)}, F1 ${pct(r.devOnnx.f1)}`
        : '';
      return `question_answering → ${r.out}: ${tfjs}${onnx}`;
    },
  },
  {
    kind: 'sentiment_analysis',
    summary:
      'PET on ChnSentiCorp and more review sets, balanced, bias chosen on dev (inference/taskflow/sentiment-analysis/)',
    settings: SENTIMENT_SETTINGS,
    async train(options) {
      const { trainSentiment } = await import('../../inference/taskflow/sentiment-analysis/train.js');
      const { promptSentimentMethod } = await import('../taskflow/sentiment-method.js');
      const r = await trainSentiment(options as Partial<SentimentTrainOptions>, promptSentimentMethod);
      const test = r.scores['ChnSentiCorp test'];
      const recall = test
        ? `, recall negative ${pct(test.recall[0] * 100)} / positive ${pct(test.recall[1] * 100)}`
        : '';
      const ship = r.verdict ? `; ${r.verdict.ship ? 'shipped' : 'not shipped'}: ${r.verdict.reason}` : '';
      return (
        `sentiment_analysis → ${r.out} (bundle ${r.bundle}, bias ${r.bias.toFixed(4)}): ChnSentiCorp test ` +
        `accuracy ${pct(test ? test.accuracy * 100 : undefined)}${recall}${ship}`
      );
    },
  },
  {
    kind: 'text_correction',
    summary:
      'spelling corrector network on SIGHAN 2013-15 and synthetic errors, scored on SIGHAN-2015 test ' +
      '(inference/taskflow/text-correction/)',
    settings: TEXT_CORRECTION_SETTINGS,
    async train(options) {
      const { trainTextCorrection } = await import('../../inference/taskflow/text-correction/train.js');
      const r = await trainTextCorrection(options as Partial<TextCorrectionTrainOptions>);
      const trained = r.train ? `: ${r.train.steps} steps in ${r.train.minutes.toFixed(1)} min` : '';
      const f1 = (mode: string) => pct(r.test?.[mode] && r.test[mode].correction.f1 * 100);
      const test = r.test
        ? `; SIGHAN-2015 test correction F1 ${f1('confusion')} (confusion), ${f1('vocab')} (vocab)`
        : '';
      return `text_correction → ${r.out}${trained}${test}${r.bundle ? `; copied to ${r.bundle}` : ''}`;
    },
  },
  {
    kind: 'text_correction_lm',
    summary:
      "the spelling corrector's character n-gram models and the rule joining them to its network; run after " +
      'text_correction (inference/taskflow/text-correction/)',
    settings: CORRECTION_LM_SETTINGS,
    async train(options) {
      const { buildCorrectionLm } = await import('../../inference/taskflow/text-correction/lm-train.js');
      const r = await buildCorrectionLm(options as Partial<CorrectionLmOptions>);
      const dev = r.choice && r.choice.dev.confusion.correction.f1 * 100;
      const rule = r.choice ? `; rule chosen on dev, correction F1 ${pct(dev)} (confusion)` : '';
      return `text_correction_lm → ${r.lm}${rule}${r.bundle ? `; written to ${r.bundle}` : ''}`;
    },
  },
];

const usage = `usage: fewprompt taskflow-train TASK [options]

Trains a Taskflow task's model with its family's recipe (inference/taskflow/<family>/train.ts; text_correction_lm,
the corrector's n-gram models, is text-correction/lm-train.ts) and, with --bundle, writes the bundle that
Taskflow(TASK, { taskPath }) loads. The shipped models and how they were trained: each
family's README.md and models/taskflow/<family>/MODEL_CARD.md.
${helpLines(TRAINABLE_TASKS.map((t) => ({ head: t.kind, help: t.summary })))}
${TRAINABLE_TASKS.map(
  (t) => `
${t.kind} options:
${helpLines(settingsHelp(t.settings))}`,
).join('')}`;

/** The family's flags → its options: numbers checked, choices checked, absent flags left out. */
export function trainOptionsFromFlags(task: TrainableTask, args: string[]): Record<string, unknown> {
  const { values } = parseArgs({ args, options: settingsArgOptions(task.settings), strict: true });
  return settingsFromArgs(task.settings, values);
}

/** `fewprompt taskflow-train`: a Taskflow family's training recipe. */
export const taskflowTrainCommand: Command = {
  name: 'taskflow-train',
  usage,
  options: Object.assign({}, ...TRAINABLE_TASKS.map((t) => settingsArgOptions(t.settings))) as ParseArgsOptionsConfig,
  async run(args) {
    const [kind, ...rest] = args;
    const kinds = TRAINABLE_TASKS.map((t) => t.kind);
    if (kind === undefined || kind.startsWith('-'))
      throw new ConfigError(`taskflow-train needs a TASK first (${kinds.join(', ')})\n${usage}`);
    const task = TRAINABLE_TASKS.find((t) => t.kind === kind);
    if (!task) throw new UnknownKindError('trainable Taskflow task', kind, kinds);
    console.log(await task.train(trainOptionsFromFlags(task, rest)));
    return 0;
  },
};
