/**
 * The Taskflow families in use: the built-in ones (`families.ts`) and those registered at run time. Task names,
 * modes, `--help` lines, `Taskflow()`'s lookup and `fewprompt taskflow-train`'s recipes are read from here. It loads
 * no task, runtime or recipe (the descriptors are data and lazy loaders; `catalog.test.ts` checks it loads no
 * package): `fewprompt --help`, `taskflow --help` and `serve --help` stay fast.
 */
import { ConfigError, UnknownKindError } from '../../framework/errors.js';
import type { TaskflowFamily, TaskflowRecipe, TaskflowTask } from './family.js';
import { FAMILIES, type TaskName } from './families.js';

/** A task or recipe kind: a lower-case word, parts joined by `_` (`word_segmentation`). */
const KIND = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

const families: TaskflowFamily[] = [];

/** What is wrong with a descriptor of `family` (its shape and kinds; duplicates aside), or undefined. */
function malformed(family: TaskflowFamily): string | undefined {
  if (typeof family?.name !== 'string' || family.name === '') return 'a family needs a name (its folder)';
  if (!Array.isArray(family.tasks)) return `family '${family.name}' needs a tasks array`;
  for (const [what, list] of [
    ['task', family.tasks],
    ['recipe', family.recipes ?? []],
  ] as const) {
    for (const entry of list) {
      const kind = String(entry?.kind);
      if (typeof entry?.kind !== 'string' || !KIND.test(kind))
        return `${what} kind '${kind}' of family '${family.name}' must be a lower-case word (${KIND.source})`;
    }
  }
  for (const t of family.tasks) {
    const modes = Object.keys(t.modes ?? {});
    if (modes.length === 0 || !Object.values(t.modes).every((m) => typeof m === 'string'))
      return `task '${t.kind}' needs modes: mode → model name, at least one`;
    if (!Object.hasOwn(t.modes, t.defaultMode))
      return `task '${t.kind}': default mode '${String(t.defaultMode)}' is not one of its modes (${modes.join(', ')})`;
    if (typeof t.load !== 'function') return `task '${t.kind}' needs load(): its task class`;
  }
  for (const r of family.recipes ?? []) {
    if (typeof r.settings !== 'object' || r.settings === null) return `recipe '${r.kind}' needs a settings table`;
    if (typeof r.train !== 'function' || typeof r.report !== 'function')
      return `recipe '${r.kind}' needs train() and report()`;
  }
  return undefined;
}

/** The first kind of `family` that is taken (by an earlier family, or twice in itself), with what it is. */
function taken(family: TaskflowFamily): string | undefined {
  if (families.some((f) => f.name === family.name)) return `family '${family.name}' is already registered`;
  const tasks = taskflowTasks().map((t) => t.kind);
  const recipes = taskflowRecipes().map((r) => r.kind);
  for (const t of family.tasks) {
    if (tasks.includes(t.kind)) return `Taskflow task '${t.kind}' is already registered`;
    tasks.push(t.kind);
  }
  for (const r of family.recipes ?? []) {
    if (recipes.includes(r.kind)) return `Taskflow recipe '${r.kind}' is already registered`;
    recipes.push(r.kind);
  }
  return undefined;
}

/**
 * Adds a family: `Taskflow()`, `fewprompt taskflow` and `serve --taskflow` accept its tasks, and `fewprompt
 * taskflow-train` its recipes, from then on (PaddleNLP's custom tasks, Hugging Face's `register_pipeline`). A
 * malformed descriptor or a kind already taken is a `ConfigError`. Returns a function that removes it (for tests).
 * @example
 * const unregister = registerTaskflowFamily({
 *   name: 'char-count',
 *   tasks: [{ kind: 'char_count', summary: 'characters per text', modes: { base: 'none' }, defaultMode: 'base',
 *     load: async () => CharCountTask }],
 * });
 * await Taskflow('char_count')('三亚'); // → 2 (typed once `CustomTaskflowTasks` names it: families.ts)
 */
export function registerTaskflowFamily(family: TaskflowFamily): () => void {
  const problem = malformed(family) ?? taken(family);
  if (problem) throw new ConfigError(problem);
  families.push(family);
  return () => {
    const at = families.indexOf(family);
    if (at >= 0) families.splice(at, 1);
  };
}

for (const family of FAMILIES) registerTaskflowFamily(family);

/**
 * Every task of every family, in registration order (the built-in ones in `FAMILIES`'s order).
 * @example taskflowTasks()[0].kind; // → 'word_segmentation'
 */
export function taskflowTasks(): TaskflowTask[] {
  return families.flatMap((f) => f.tasks);
}

/**
 * The task names, in order.
 * @example taskNames().slice(0, 3); // → ['word_segmentation', 'pos_tagging', 'ner']
 */
export function taskNames(): string[] {
  return taskflowTasks().map((t) => t.kind);
}

/**
 * Whether `name` is a registered task.
 * @example isTaskName('ner'); // → true
 */
export function isTaskName(name: string): name is TaskName {
  return taskflowTasks().some((t) => t.kind === name);
}

/**
 * A task's descriptor, or an `UnknownKindError` listing the valid names.
 * @example findTaskflowTask('ner').defaultMode; // → 'fast'
 */
export function findTaskflowTask(name: string): TaskflowTask {
  const found = taskflowTasks().find((t) => t.kind === name);
  if (!found) throw new UnknownKindError('Taskflow task', name, taskNames());
  return found;
}

/**
 * One `--help` row per task: its name, its summary and its modes, the default first.
 * @example taskHelpRows()[0];
 * // → { head: 'word_segmentation', help: "the words of each text (…); modes: base, fast" }
 */
export function taskHelpRows(): { head: string; help: string }[] {
  return taskflowTasks().map(({ kind, summary, modes, defaultMode }) => {
    const others = Object.keys(modes).filter((m) => m !== defaultMode);
    return { head: kind, help: `${summary}; modes: ${[defaultMode, ...others].join(', ')}` };
  });
}

/** A recipe with the folder of the family that owns it. */
export interface FamilyRecipe extends TaskflowRecipe {
  /** The family's folder name, e.g. `ner`. */
  readonly family: string;
}

/**
 * Every training recipe, in registration order, each with its family's folder.
 * @example taskflowRecipes().map((r) => r.kind).slice(0, 2); // → ['ner', 'text_correction']
 */
export function taskflowRecipes(): FamilyRecipe[] {
  return families.flatMap((f) => (f.recipes ?? []).map((r) => ({ ...r, family: f.name })));
}

/**
 * A recipe by kind, or an `UnknownKindError` listing the valid ones.
 * @example findTaskflowRecipe('ner').settings.maxSteps.default; // → 600
 */
export function findTaskflowRecipe(kind: string): FamilyRecipe {
  const recipes = taskflowRecipes();
  const found = recipes.find((r) => r.kind === kind);
  if (!found)
    throw new UnknownKindError(
      'trainable Taskflow task',
      kind,
      recipes.map((r) => r.kind),
    );
  return found;
}
