/**
 * Every built-in Taskflow family, one line each: add a family by adding its folder (with its `family.ts`) and one
 * entry to `FAMILIES`. The catalog (`catalog.ts`: task names, modes, `--help`), `Taskflow()`'s lookup and result
 * types, and `fewprompt taskflow-train`'s recipes all derive from this list; it loads no task (each `family.ts` is
 * data and lazy loaders), so the CLI's `--help` reads it.
 */
import { DEPENDENCY_PARSING_FAMILY } from './dependency-parsing/family.js';
import type { TaskConfig } from './base.js';
import { LEXICAL_ANALYSIS_FAMILY } from './lexical-analysis/family.js';
import { NER_FAMILY } from './ner/family.js';
import { POETRY_GENERATION_FAMILY } from './poetry-generation/family.js';
import { QUESTION_ANSWERING_FAMILY } from './question-answering/family.js';
import { SENTIMENT_ANALYSIS_FAMILY } from './sentiment-analysis/family.js';
import { TEXT_CORRECTION_FAMILY } from './text-correction/family.js';

export const FAMILIES = [
  LEXICAL_ANALYSIS_FAMILY,
  NER_FAMILY,
  TEXT_CORRECTION_FAMILY,
  DEPENDENCY_PARSING_FAMILY,
  SENTIMENT_ANALYSIS_FAMILY,
  POETRY_GENERATION_FAMILY,
  QUESTION_ANSWERING_FAMILY,
] as const;

type BuiltinTask = (typeof FAMILIES)[number]['tasks'][number];

/**
 * The task classes of families registered at run time (`registerTaskflowFamily`), for `Taskflow()`'s types: a
 * program that registers one adds its class here by module augmentation; the built-in ones derive from `FAMILIES`.
 * @example
 * declare module 'fewprompt/taskflow' {
 *   interface CustomTaskflowTasks { char_count: typeof CharCountTask }
 * }
 * await Taskflow('char_count')('三亚'); // typed as CharCountTask's result
 */
// biome-ignore lint/suspicious/noEmptyInterface: empty until a program augments it
export interface CustomTaskflowTasks {}

/** Task name → task class: each built-in descriptor's loader gives its class, plus {@link CustomTaskflowTasks}. */
export type TaskClasses = { [T in BuiltinTask as T['kind']]: Awaited<ReturnType<T['load']>> } & CustomTaskflowTasks;

/** The task names `Taskflow()` accepts. */
export type TaskName = keyof TaskClasses & string;

/** The task a name builds (what its class's `fromConfig` resolves to). */
export type TaskInstance<K extends TaskName> = TaskClasses[K] extends {
  fromConfig(config: TaskConfig): Promise<infer T>;
}
  ? T
  : never;
