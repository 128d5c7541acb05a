/**
 * What a Taskflow family says about itself, as data light enough for `--help`: its tasks (kind, summary, modes) and
 * its training recipes (settings table), each with a lazy loader of its code. A family folder's `family.ts` exports
 * one {@link TaskflowFamily}; `families.ts` lists the built-in ones and `registerTaskflowFamily` (`catalog.ts`) adds
 * one at run time. This module and every `family.ts` import no task, runtime or recipe code: only `import()` inside
 * a loader reaches them.
 */
import type { SettingsTable } from '../../framework/settings.js';
import type { ModeTable, Task, TaskConfig } from './base.js';
import type { RecipeSupplies } from './train-settings.js';

/**
 * The static side of a task class that `Taskflow()` uses once its family's loader has brought it in.
 * @example
 * const cls: TaskClass = await NER_TASK.load(); // NerTask
 * const task = await cls.fromConfig(taskConfig(NER_TASK, { mode: 'accurate' }));
 */
export interface TaskClass<Out = unknown, In = unknown> {
  /** Loads the model a config names. */
  fromConfig(config: TaskConfig): Promise<Task<Out, In>>;
  /** A task that takes records (`question_answering`) checks each input here, before its model loads. */
  checkInput?(item: unknown, what: string): In;
}

/**
 * One task of a family, behind `Taskflow('<kind>')`.
 * @example
 * const WORD_SEGMENTATION_TASK = taskflowTask({
 *   kind: 'word_segmentation', summary: 'the words of a text', modes: { base: 'lac', fast: 'jieba' },
 *   defaultMode: 'base', load: async () => (await import('./word-segmentation.js')).WordSegmentationTask,
 * });
 */
export interface TaskflowTask {
  /** The task name (`Taskflow(kind)`, `fewprompt taskflow KIND`): a lower-case word, `_` between parts. */
  readonly kind: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** Mode → default model name, e.g. `{ base: 'lac', fast: 'jieba' }`. */
  readonly modes: ModeTable;
  /** The mode used when none is given; a key of `modes`. */
  readonly defaultMode: string;
  /** Loads the task class (its runtime, ONNX Runtime, LAC, …): `async () => (await import('./task.js')).MyTask`. */
  load(): Promise<TaskClass>;
}

/**
 * One training recipe of a family, behind `fewprompt taskflow-train <kind>`: its settings table (the flags and
 * `--help` derive from it), the recipe (its code loaded when it runs) and the one line its result prints as.
 * @example
 * taskflowRecipe({
 *   kind: 'ner', summary: 'token classification on CLUENER2020', settings: NER_SETTINGS,
 *   train: async (options) => (await import('./train.js')).trainNer(options),
 *   report: (r) => `ner → ${r.out}`,
 * });
 */
export interface TaskflowRecipe<Result = unknown> {
  /** The name `fewprompt taskflow-train` takes: the task it trains, or another word (`text_correction_lm`). */
  readonly kind: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** The recipe's settings: type, default and help of each, declared once (`<family>/train-options.ts`). */
  readonly settings: SettingsTable;
  /** Trains with the options parsed from the flags (absent ones take the table's defaults). */
  train(options: Readonly<Record<string, unknown>>, supplies: RecipeSupplies): Promise<Result>;
  /** The result as the one line `fewprompt taskflow-train` prints. */
  report(result: Result): string;
}

/** A Taskflow family: one folder of `inference/taskflow/`, its tasks and its recipes. */
export interface TaskflowFamily {
  /** The family's folder name, e.g. `lexical-analysis`. */
  readonly name: string;
  /** Its tasks (LAC's folder has two: `word_segmentation`, `pos_tagging`). */
  readonly tasks: readonly TaskflowTask[];
  /** Its training recipes, if it trains a model (LAC's is converted, not trained). */
  readonly recipes?: readonly TaskflowRecipe[];
}

/**
 * A task descriptor, kept exact: its literal `kind` and the class its loader returns are what `Taskflow()`'s result
 * types derive from (`families.ts`).
 * @example NER_TASK.kind; // → 'ner' (the type, not only the value)
 */
export function taskflowTask<const T extends TaskflowTask>(task: T): T {
  return task;
}

/**
 * A recipe descriptor, `report` typed by what `train` returns.
 * @example taskflowRecipe({ kind: 'toy', summary: '…', settings: {}, train: async () => 3, report: (n) => `${n}` });
 */
export function taskflowRecipe<Result>(recipe: TaskflowRecipe<Result>): TaskflowRecipe<Result> {
  return recipe;
}

/**
 * A family descriptor, kept exact (its tasks' literal kinds and loaders).
 * @example export const NER_FAMILY = taskflowFamily({ name: 'ner', tasks: [NER_TASK], recipes: [NER_RECIPE] });
 */
export function taskflowFamily<const F extends TaskflowFamily>(family: F): F {
  return family;
}
