/** The `question_answering` family as data: its task (a span reader) and its recipe. */
import { taskflowFamily, taskflowRecipe, taskflowTask } from '../family.js';
import { pct } from '../train-settings.js';
import type { QuestionAnsweringTrainResult } from './train.js';
import { QUESTION_ANSWERING_SETTINGS, type QuestionAnsweringTrainOptions } from './train-options.js';

export const QUESTION_ANSWERING_TASK = taskflowTask({
  kind: 'question_answering',
  summary: 'the span of a passage that answers a question ({ question, context } in)',
  modes: { base: 'fewprompt-span-reader' },
  defaultMode: 'base',
  load: async () => (await import('./task.js')).QuestionAnsweringTask,
});

/**
 * The recipe's result as one line: CMRC 2018 dev EM and F1 in tfjs and on ONNX Runtime.
 * @example questionAnsweringReport(r); // 'question_answering → runs/qa: dev (tfjs, 3219) EM 2.70, F1 12.10; …'
 */
export function questionAnsweringReport(r: QuestionAnsweringTrainResult): string {
  const tfjs = r.devTfjs ? `dev (tfjs, ${r.devTfjs.total}) EM ${pct(r.devTfjs.em)}, F1 ${pct(r.devTfjs.f1)}` : '';
  const onnx = r.devOnnx
    ? `; bundle ${r.bundle} (ONNX Runtime, ${r.devOnnx.total}): EM ${pct(r.devOnnx.em)}, F1 ${pct(r.devOnnx.f1)}`
    : '';
  return `question_answering → ${r.out}: ${tfjs}${onnx}`;
}

/** `inference/taskflow/question-answering/`. */
export const QUESTION_ANSWERING_FAMILY = taskflowFamily({
  name: 'question-answering',
  tasks: [QUESTION_ANSWERING_TASK],
  recipes: [
    taskflowRecipe({
      kind: 'question_answering',
      summary: 'span reader on CMRC 2018 trial and DRCD, scored on CMRC 2018 dev',
      settings: QUESTION_ANSWERING_SETTINGS,
      train: async (options) =>
        (await import('./train.js')).trainQuestionAnswering(options as Partial<QuestionAnsweringTrainOptions>),
      report: questionAnsweringReport,
    }),
  ],
});
