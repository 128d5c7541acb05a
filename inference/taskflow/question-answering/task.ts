/**
 * `question_answering`: extractive reading comprehension — a question and the passage that answers it in, the
 * answer's span of the passage out (a span reader on our BERT, trained on CMRC 2018 trial and DRCD; see its model
 * card). Long passages are read in overlapping windows; below the bundle's threshold the answer is empty.
 */
import { packagePath } from '../../../framework/package-paths.js';
import { Task, type TaskConfig, type TaskflowOptions, taskConfig, type TaskModel, taskModelDir } from '../base.js';
import { QUESTION_ANSWERING_TASK } from './family.js';
import type { QaAnswer } from './decode.js';
import { checkQaInput, QuestionAnswerer, type QaInput } from './reader.js';

/** The shipped reader bundle: in the git repository, not in the npm package. */
const MODEL: TaskModel = {
  task: 'question_answering',
  path: 'models/taskflow/question-answering',
  marker: 'qa.json',
  what: 'reader bundle',
  makeOne: "a bundle from 'fewprompt taskflow-train question_answering --bundle DIR'",
};
/** The shipped reader bundle. */
export const SHIPPED_READER = packagePath(`${MODEL.path}/`);

/**
 * Reading comprehension as `Taskflow('question_answering')`: `{ question, context }` (or a list of them) →
 * `{ answer, start, end, score }`, `answer` being `context.slice(start, end)`, or empty (start = end = 0) when no span
 * scores the bundle's threshold. `taskPath` loads another reader bundle
 * (`fewprompt taskflow-train question_answering --bundle DIR`).
 * @example
 * const qa = Taskflow('question_answering');
 * await qa({
 *   question: '长江在哪里注入东海？',
 *   context: '长江发源于青藏高原的唐古拉山脉，自西向东流经十一个省级行政区，最后在上海注入东海。',
 * });
 * // → { answer: '唐古拉山脉', start: 10, end: 15, score: 0.0034 }: the shipped model's answer, and wrong (上海) —
 * //   it does not read well yet (CMRC 2018 dev EM 2.7 / F1 12.1; its model card says why)
 */
export class QuestionAnsweringTask extends Task<QaAnswer, QaInput> {
  static readonly kind = QUESTION_ANSWERING_TASK.kind;
  static readonly modes = QUESTION_ANSWERING_TASK.modes;

  private constructor(
    config: TaskConfig,
    private readonly reader: QuestionAnswerer,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `base`). */
  static configure(options: TaskflowOptions): TaskConfig {
    return taskConfig(QUESTION_ANSWERING_TASK, options);
  }

  /** Loads the reader bundle (`taskPath`, else the shipped one). */
  static async fromConfig(config: TaskConfig): Promise<QuestionAnsweringTask> {
    return new QuestionAnsweringTask(config, await QuestionAnswerer.load(taskModelDir(MODEL, config.taskPath)));
  }

  /**
   * One input checked: an object with a non-empty `question` and a `context` string; a `TaskInputError` otherwise.
   * @example QuestionAnsweringTask.checkInput('谁？', 'Taskflow input');
   * // throws "Taskflow input must be an object { question, context }, got a string"
   */
  static checkInput(item: unknown, what: string): QaInput {
    return checkQaInput(item, what);
  }

  /** Answers each question from its passage (windows of all inputs batched `batchSize` at a time). */
  async run(inputs: readonly QaInput[]): Promise<QaAnswer[]> {
    return this.reader.answer(inputs, { batchSize: this.config.batchSize });
  }
}
