/**
 * The Taskflow tasks as data: names, modes (mode → model name) and default modes. `fewprompt --help`, `taskflow
 * --help` and `serve --help` read this module alone, without loading a task (the tasks import ONNX Runtime, LAC and
 * jieba: a second of start-up). Each task class (`index.ts`'s `TASKS`) takes its modes and default mode from its
 * entry here; `catalog.test.ts` checks that both lists name the same tasks in the same order.
 */

/** What the catalog knows of one task. */
export interface TaskInfo {
  /** Mode → default model name, e.g. `{ base: 'lac', fast: 'jieba' }`. */
  readonly modes: Readonly<Record<string, string>>;
  /** The mode used when none is given. */
  readonly defaultMode: string;
}

/**
 * Every Taskflow task, in `TASKS`'s order.
 * @example TASK_CATALOG.ner.defaultMode; // → 'fast'
 */
export const TASK_CATALOG = {
  word_segmentation: { modes: { base: 'lac', fast: 'jieba' }, defaultMode: 'base' },
  pos_tagging: { modes: { base: 'lac' }, defaultMode: 'base' },
  ner: { modes: { fast: 'lac', accurate: 'fewprompt-cluener' }, defaultMode: 'fast' },
  text_correction: {
    modes: { confusion: 'fewprompt-csc-mini', vocab: 'fewprompt-csc-mini' },
    defaultMode: 'confusion',
  },
  dependency_parsing: { modes: { base: 'biaffine-gsd' }, defaultMode: 'base' },
  sentiment_analysis: { modes: { base: 'fewprompt-chnsenticorp' }, defaultMode: 'base' },
  poetry_generation: {
    modes: { sampling: 'poetry-gpt-zh', beam_search: 'poetry-gpt-zh', greedy: 'poetry-gpt-zh' },
    defaultMode: 'sampling',
  },
  question_answering: { modes: { base: 'fewprompt-span-reader' }, defaultMode: 'base' },
} as const satisfies Readonly<Record<string, TaskInfo>>;

/** A task name of the catalog. */
export type CatalogTaskName = keyof typeof TASK_CATALOG;

/**
 * The task names, in order.
 * @example TASK_NAMES[0]; // → 'word_segmentation'
 */
export const TASK_NAMES = Object.keys(TASK_CATALOG) as CatalogTaskName[];

/**
 * Whether `name` is a task of the catalog.
 * @example isTaskName('ner'); // → true
 */
export function isTaskName(name: string): name is CatalogTaskName {
  return Object.hasOwn(TASK_CATALOG, name);
}

/**
 * One line per task for usage texts: its name and modes, the default first.
 * @example taskModesHelp()[0]; // → 'word_segmentation (modes: base, fast)'
 */
export function taskModesHelp(): string[] {
  return TASK_NAMES.map((name) => {
    const { modes, defaultMode } = TASK_CATALOG[name] as TaskInfo;
    const others = Object.keys(modes).filter((m) => m !== defaultMode);
    return `${name} (modes: ${[defaultMode, ...others].join(', ')})`;
  });
}
