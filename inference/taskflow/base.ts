/**
 * Taskflow's building blocks: the options every task accepts, its JSON-safe config, and the
 * abstract {@link Task} each task file implements (one file per task, described by its family's `family.ts`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError, ConfigError, UnknownKindError } from '../../framework/errors.js';
import { packagePath } from '../../framework/package-paths.js';
import type { TaskflowTask } from './family.js';
import type { LacBackendKind } from './lexical-analysis/backend.js';

/** Options of `Taskflow(task, options)` (PaddleNLP's names in camelCase). */
export interface TaskflowOptions {
  /** Model name; each task lists its models per mode (LAC tasks: `lac`). */
  readonly model?: string;
  /** Task variant, e.g. `base` (LAC) or `fast` (dictionary + HMM) for `word_segmentation`. */
  readonly mode?: string;
  /** Sequences per network call (default 32); results do not depend on it. */
  readonly batchSize?: number;
  /** Where converted models and caches live (default `$FEWPROMPT_HOME` or `~/.fewprompt`). */
  readonly homePath?: string;
  /** A custom model directory: our converted layout, or PaddlePaddle's (converted once into `homePath`). */
  readonly taskPath?: string;
  /**
   * Forced words (LAC customisation format): a file path or the dictionary lines. `ner` accurate: entities, one
   * `实体/类型` per line, added to the model's entity lexicon.
   */
  readonly userDict?: string | readonly string[];
  /** `ner` only: keep entity words (PER/LOC/ORG/TIME) and drop the rest. */
  readonly entityOnly?: boolean;
  /** LAC runtime: `auto` (default; ONNX Runtime when available), `onnx` or `js`. */
  readonly backend?: LacBackendKind | 'auto';
  /** LAC worker threads for calls with several batches (default one per core, at most 4; 0 = none). */
  readonly workers?: number;
}

/** JSON-safe description of a configured task; `fromConfig(getConfig())` rebuilds it. */
export interface TaskConfig extends TaskflowOptions {
  readonly task: string;
  readonly mode: string;
  readonly model: string;
  readonly batchSize: number;
}

/** A task's modes: mode → default model name. */
export type ModeTable = Readonly<Record<string, string>>;

/**
 * Validates options against a task's mode table and fills defaults.
 * @example
 * resolveConfig('word_segmentation', { base: 'lac', fast: 'jieba' }, 'base', { mode: 'fast' });
 * // { task: 'word_segmentation', mode: 'fast', model: 'jieba', batchSize: 32 }
 */
export function resolveConfig(
  task: string,
  modes: ModeTable,
  defaultMode: string,
  options: TaskflowOptions,
): TaskConfig {
  const mode = options.mode ?? defaultMode;
  const model = modes[mode];
  if (model === undefined) throw new UnknownKindError(`mode for task '${task}'`, mode, Object.keys(modes));
  if (options.model !== undefined && options.model !== model)
    throw new UnknownKindError(`model for ${task} mode '${mode}'`, options.model, [model]);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ConfigError(`batchSize must be a positive integer, got ${String(batchSize)}`);
  if (options.entityOnly !== undefined && task !== 'ner')
    throw new ConfigError(`entityOnly applies to the 'ner' task only, not '${task}'`);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...defined, task, mode, model, batchSize };
}

/**
 * {@link resolveConfig} with a task descriptor's kind, modes and default mode: what `Taskflow()` and every task's
 * `configure` do, without loading the task.
 * @example
 * taskConfig(WORD_SEGMENTATION_TASK, { mode: 'fast' });
 * // { task: 'word_segmentation', mode: 'fast', model: 'jieba', batchSize: 32 }
 */
export function taskConfig(
  task: Pick<TaskflowTask, 'kind' | 'modes' | 'defaultMode'>,
  options: TaskflowOptions,
): TaskConfig {
  return resolveConfig(task.kind, task.modes, task.defaultMode, options);
}

/**
 * A model a task loads from its own directory, which the git repository holds and the npm package leaves out (the
 * package carries only the default encoder and LAC).
 */
export interface TaskModel {
  /** The task (and mode) for messages, e.g. `ner (accurate)`. */
  readonly task: string;
  /** The directory in the git repository, relative to its root, e.g. `models/taskflow/ner`. */
  readonly path: string;
  /** A file every complete model directory holds, e.g. `bundle.json`. */
  readonly marker: string;
  /** What the directory holds, for messages: `model bundle`, `parser bundle`, `model directory`. */
  readonly what: string;
  /** How to make another one, for a `taskPath` that holds none, e.g. `a bundle from 'fewprompt export'`. */
  readonly makeOne: string;
}

/**
 * The directory to load `model` from: `taskPath` when given, else the model's place in the package. A missing model
 * is one line: for the shipped one, where to get it (the git repository) and where to put it.
 * @example
 * taskModelDir({ task: 'sentiment_analysis', path: 'models/taskflow/sentiment-analysis', marker: 'bundle.json',
 *   what: 'model bundle', makeOne: "a bundle from 'fewprompt export'" }, undefined);
 * // → '/…/node_modules/fewprompt/models/taskflow/sentiment-analysis', or throws BundleError:
 * // "sentiment_analysis: model not installed (no bundle.json in /…/models/taskflow/sentiment-analysis); the npm
 * //  package leaves it out: copy models/taskflow/sentiment-analysis/ there from the fewprompt git repository
 * //  (README: Taskflow models), or pass taskPath (--task-path)"
 */
export function taskModelDir(model: TaskModel, taskPath: string | undefined): string {
  const dir = taskPath ?? packagePath(model.path);
  if (existsSync(join(dir, model.marker))) return dir;
  if (taskPath !== undefined)
    throw new BundleError(
      `${model.task}: no ${model.what} at ${dir} (no ${model.marker}); taskPath takes ${model.makeOne}`,
    );
  throw new BundleError(
    `${model.task}: model not installed (no ${model.marker} in ${dir}); the npm package leaves it out: ` +
      `copy ${model.path}/ there from the fewprompt git repository (README: Taskflow models), ` +
      'or pass taskPath (--task-path)',
  );
}

/**
 * One Taskflow task: turns a batch of inputs into one output per input. Inputs are texts, except for tasks that
 * take records (`question_answering`: `{ question, context }`), which declare `In` and check it with a static
 * `checkInput(item, what)`.
 */
export abstract class Task<Out, In = string> {
  protected constructor(protected readonly config: TaskConfig) {}

  /**
   * Runs the task on every input.
   * @example
   * await task.run(['三亚是一个美丽的城市']); // [['三亚', '是', '一个', '美丽', '的', '城市']]
   */
  abstract run(inputs: readonly In[]): Promise<Out[]>;

  /**
   * The task's JSON-safe config.
   * @example
   * task.getConfig(); // { task: 'word_segmentation', mode: 'base', model: 'lac', batchSize: 32 }
   */
  getConfig(): TaskConfig {
    return { ...this.config };
  }

  /**
   * Frees what the task holds outside the heap (LAC's worker threads); the task stays usable.
   * @example
   * await task.close();
   */
  async close(): Promise<void> {}
}
