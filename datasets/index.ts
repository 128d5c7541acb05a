/**
 * Datasets: the task contract (`base.ts`), FewCLUE's nine tasks (`fewclue/`), generic JSONL / CSV /
 * TSV loaders (`generic/`), user tasks (`custom-task.ts`) and leaderboard files (`submission.ts`).
 *
 * @example
 * import { getTask, toSubmission } from './datasets/index.js';
 * const task = getTask('eprstmt');            // bundled: no data dir needed
 * const train = task.load('train', { split: '0' });
 * train.length;                               // => 32
 * const csl = getTask('csl', { dataDir: '../shared/fewclue' });
 */
import { ConfigError, UnknownKindError } from '../framework/errors.js';
import { CustomTask, type CustomTaskConfig } from './custom-task.js';
import { FEWCLUE_TASKS, type FewClueKind, type FewClueTaskConfig, type FewClueTaskOptions } from './fewclue/index.js';

export * from './base.js';
export * from './fewclue/index.js';
export * from './custom-task.js';
export * from './submission.js';
export { loadJsonl, readJsonlRecords, type JsonlRecord } from './generic/jsonl.js';
export { loadCsv, loadTsv, readCsvRecords, type CsvOptions, type CsvRecord } from './generic/csv.js';
export { mapRecord, type FieldMapping, type RecordOptions, type Where } from './generic/record.js';

type TaskClass = (typeof FEWCLUE_TASKS)[number];
/** The task class registered under a kind. */
export type TaskClassOf<K extends FewClueKind> = Extract<TaskClass, { readonly kind: K }>;

const REGISTRY: ReadonlyMap<string, TaskClass> = (() => {
  const map = new Map<string, TaskClass>();
  for (const cls of FEWCLUE_TASKS) {
    if (map.has(cls.kind)) throw new ConfigError(`duplicate task kind '${cls.kind}' in FEWCLUE_TASKS`);
    map.set(cls.kind, cls);
  }
  return map;
})();

/** Every registered task kind. */
export const TASK_KINDS: readonly FewClueKind[] = FEWCLUE_TASKS.map((t) => t.kind);

/**
 * A FewCLUE task by kind; the result's type follows the kind.
 *
 * @example
 * getTask('chid').multipleChoice; // => { candidatesField: 'candidates', wordLength: 4 }
 * getTask('sst2');                // throws UnknownKindError: unknown task 'sst2'; valid: eprstmt, csldcp, tnews, …
 */
export function getTask<K extends FewClueKind>(
  kind: K,
  options: FewClueTaskOptions = {},
): InstanceType<TaskClassOf<K>> {
  const cls = REGISTRY.get(kind);
  if (cls === undefined) throw new UnknownKindError('task', kind, TASK_KINDS);
  return new cls(options) as InstanceType<TaskClassOf<K>>;
}

/** Any task's config: a FewCLUE task's, or a custom task's. */
export type AnyTaskConfig = FewClueTaskConfig | CustomTaskConfig;

/**
 * Rebuild any task (FewCLUE or custom) from its `getConfig()`.
 *
 * @example
 * taskFromConfig({ type: 'eprstmt' }).kind; // => 'eprstmt'
 */
export function taskFromConfig(config: AnyTaskConfig): InstanceType<TaskClass> | CustomTask {
  if (isCustomConfig(config)) return CustomTask.fromConfig(config);
  const cls = REGISTRY.get(config.type);
  if (cls === undefined) throw new UnknownKindError('task', config.type, [...TASK_KINDS, CustomTask.kind]);
  const { dataDir } = config;
  if (dataDir !== undefined && typeof dataDir !== 'string')
    throw new ConfigError(`task '${config.type}': dataDir must be a string`);
  return new cls(dataDir === undefined ? {} : { dataDir });
}

function isCustomConfig(c: AnyTaskConfig): c is CustomTaskConfig {
  return c.type === CustomTask.kind;
}
