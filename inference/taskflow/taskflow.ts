/**
 * `Taskflow(task, options)`: PaddleNLP's one-line API. Returns a callable that takes a string (→ one
 * result) or an array of strings (→ one result each) — for `question_answering` a `{ question, context }` record or
 * an array of them; the task's code loads on the first call, and its model with it.
 */
import { TaskInputError } from '../../framework/errors.js';
import { type Task, type TaskConfig, type TaskflowOptions, taskConfig } from './base.js';
import { findTaskflowTask } from './catalog.js';
import type { TaskClass } from './family.js';
import type { TaskInstance, TaskName } from './families.js';

/** The per-input result type of a task, e.g. `string[]` for `word_segmentation` (for a union: each one's). */
export type TaskOutput<K extends TaskName> = K extends unknown
  ? TaskInstance<K> extends Task<infer O, infer _I>
    ? O
    : never
  : never;

/** What a task takes per input: a text, or a record (`question_answering`: `{ question, context }`). */
export type TaskInput<K extends TaskName> = K extends unknown
  ? TaskInstance<K> extends Task<unknown, infer I>
    ? I
    : never
  : never;

/** What `Taskflow()` returns. */
export interface TaskflowPipeline<Out, In = string> {
  (input: In): Promise<Out>;
  (inputs: readonly In[]): Promise<Out[]>;
  /** The task's resolved, JSON-safe config. */
  readonly config: TaskConfig;
  /**
   * Ends the task's worker threads (LAC starts them on the first call with several batches; idle
   * ones never keep the process alive). The pipeline stays usable, on the calling thread.
   */
  close(): Promise<void>;
}

/** The inputs of one call and whether it was a single one: texts, or the records a task checks itself. */
function checkInput(taskClass: TaskClass, input: unknown): { items: readonly unknown[]; single: boolean } {
  if (taskClass.checkInput) {
    if (Array.isArray(input))
      return { items: input.map((item, i) => taskClass.checkInput!(item, `Taskflow input [${i}]`)), single: false };
    return { items: [taskClass.checkInput(input, 'Taskflow input')], single: true };
  }
  if (typeof input === 'string') return { items: [input], single: true };
  if (Array.isArray(input)) {
    input.forEach((item, i) => {
      if (typeof item !== 'string')
        throw new TaskInputError(`Taskflow input [${i}] is ${describe(item)}; expected a string`);
    });
    return { items: input, single: false };
  }
  throw new TaskInputError(`Taskflow input is ${describe(input)}; expected a string or an array of strings`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}${typeof value === 'number' ? ` (${value})` : ''}`;
}

/**
 * Builds a task of a registered family (`families.ts`, or `registerTaskflowFamily`). Unknown task, mode or model names
 * throw at once and list the valid ones, from the family's descriptor: nothing loads until the first call.
 * @example
 * await Taskflow('word_segmentation')('三亚是一个美丽的城市'); // ['三亚', '是', '一个', '美丽', '的', '城市']
 * await Taskflow('pos_tagging')(['三亚是一个美丽的城市']);
 * // [[['三亚', 'LOC'], ['是', 'v'], ['一个', 'm'], ['美丽', 'a'], ['的', 'u'], ['城市', 'n']]]
 * await Taskflow('ner', { entityOnly: true })('三亚是一个美丽的城市'); // [['三亚', 'LOC']]
 * await Taskflow('question_answering')({ question: '长江在哪里注入东海？', context: '…最后在上海注入东海。' });
 * // { answer: '上海', start: …, end: …, score: … } (a record task: it takes { question, context }, or a list)
 * const seg = Taskflow('word_segmentation');
 * await seg(manyTexts); // several batches: shared among worker threads, one per core
 * await seg.close(); // ends them
 */
export function Taskflow<K extends TaskName>(
  task: K,
  options: TaskflowOptions = {},
): TaskflowPipeline<TaskOutput<K>, TaskInput<K>> {
  const info = findTaskflowTask(task);
  const config = taskConfig(info, options);
  let taskClass: Promise<TaskClass> | undefined;
  let loading: Promise<Task<unknown, unknown>> | undefined;
  async function pipeline(input: TaskInput<K>): Promise<TaskOutput<K>>;
  async function pipeline(inputs: readonly TaskInput<K>[]): Promise<TaskOutput<K>[]>;
  async function pipeline(input: unknown): Promise<TaskOutput<K> | TaskOutput<K>[]> {
    const cls = await (taskClass ??= info.load());
    const { items, single } = checkInput(cls, input);
    loading ??= cls.fromConfig(config);
    const results = (await (await loading).run(items)) as TaskOutput<K>[];
    return single ? results[0]! : results;
  }
  const close = async (): Promise<void> => {
    if (loading) await (await loading).close();
  };
  return Object.assign(pipeline, { config, close });
}
