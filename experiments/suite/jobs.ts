import { type } from 'arktype';
import { ConfigError } from '../../framework/errors.js';
import { getTask, TASK_KINDS, type FewClueKind } from '../../datasets/index.js';
import { getMethod, methodKinds } from '../methods/registry.js';
import { type Variant, variantName } from '../variant.js';
import { resolvedPrompt } from '../run-files.js';
import { parseExperimentConfig, type ExperimentConfig, type ExperimentConfigInput } from '../config/experiment.js';

/** A training method a suite can run: any registered method's kind (experiments/methods/registry.ts). */
export type SuiteMethod = string;

export { type Variant, variantName } from '../variant.js';

/** The FewCLUE splits: five fixed few-shot splits and their union. */
export const SUITE_SPLITS = ['0', '1', '2', '3', '4', 'few_all'] as const;
export type SuiteSplit = (typeof SUITE_SPLITS)[number];

/** Methods that can self-train on soft pseudo-labels (a row of logits per example; EFL's rows are label pairs). */
function selfTrainingMethods(): string[] {
  return methodKinds().filter((kind) => getMethod(kind).softTargets);
}

/** The experiment fields of self-training: kept in a job's config only for `+unlabeled` variants. */
const SELF_TRAINING_FIELDS = ['unlabeled', 'selfTrainSteps', 'softLabelTemperature'] as const;

/**
 * One unit of suite work: a plain, JSON-serialisable spec that crosses process and machine boundaries
 * (IPC, BullMQ). `id` is stable (`task/variant/split`) and doubles as the queue's job id and the result
 * file's path, which makes re-adding idempotent and reruns resumable.
 */
export interface SuiteJob {
  id: string;
  /** Report column: `pet`, `pet+rdrop`, … */
  variant: string;
  config: ExperimentConfig;
  /** Log the run to MLflow (`createTracker()` on the machine that runs it); default true. */
  track?: boolean;
}

/** What `expandJobs` takes. `base` holds every other experiment field (model, maxSteps, lr, dataDir, …). */
export interface JobGrid {
  tasks: readonly string[];
  variants: readonly Variant[];
  splits: readonly SuiteSplit[];
  rdropAlpha?: number;
  /**
   * Every other experiment field; `unlabeled`, `selfTrainSteps`,
   * `softLabelTemperature` reach `+unlabeled` variants only.
   */
  base?: Omit<ExperimentConfigInput, 'task' | 'method' | 'split' | 'rdropAlpha'>;
  track?: boolean;
}

/**
 * Parses `--splits`: single splits, ranges and `few_all`, comma-separated; duplicates dropped, order kept.
 * @example
 * parseSplits('0-4');        // → ['0', '1', '2', '3', '4']
 * parseSplits('0,2');        // → ['0', '2']
 * parseSplits('few_all');    // → ['few_all']
 * parseSplits('3-7');
 * // throws ConfigError: "--splits '3-7': split 7 is out of range; valid: 0..4, ranges like 0-4, few_all"
 */
export function parseSplits(spec: string): SuiteSplit[] {
  const valid = 'valid: 0..4, ranges like 0-4, few_all';
  const out: SuiteSplit[] = [];
  const add = (s: SuiteSplit) => {
    if (!out.includes(s)) out.push(s);
  };
  const index = (part: string, text: string): number => {
    if (!/^\d+$/.test(text)) throw new ConfigError(`--splits '${spec}': '${part}' is not a split; ${valid}`);
    const n = Number(text);
    if (n > 4) throw new ConfigError(`--splits '${spec}': split ${n} is out of range; ${valid}`);
    return n;
  };
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === 'few_all') {
      add('few_all');
      continue;
    }
    const range = /^(\w+)-(\w+)$/.exec(part);
    const [from, to] = range
      ? [index(part, range[1]!), index(part, range[2]!)]
      : [index(part, part), index(part, part)];
    if (from > to) throw new ConfigError(`--splits '${spec}': range '${part}' is empty (${from} > ${to}); ${valid}`);
    for (let i = from; i <= to; i++) add(String(i) as SuiteSplit);
  }
  if (out.length === 0) throw new ConfigError(`--splits '${spec}': no splits; ${valid}`);
  return out;
}

function isMethod(name: string): name is SuiteMethod {
  return methodKinds().includes(name);
}

/**
 * Parses `--methods`. An entry may carry `+rdrop` and/or `+unlabeled` (in that order); with `rdropAlpha` set
 * and no `+rdrop` entry, every method also gets its R-Drop variant (so PET and PET+R-Drop sit side by side, as in
 * PaddleNLP's table), and likewise `+unlabeled` variants with `unlabeled` > 0.
 * @example
 * parseVariants(['pet', 'efl']);        // → [{method:'pet',rdrop:false}, {method:'efl',rdrop:false}]
 * parseVariants(['pet'], 0.1);          // → [{method:'pet',rdrop:false}, {method:'pet',rdrop:true}]
 * parseVariants(['pet+rdrop'], 0.1);    // → [{method:'pet',rdrop:true}]
 * parseVariants(['pet+unlabeled'], undefined, 1000); // → [{method:'pet',rdrop:false,unlabeled:true}]
 * parseVariants(['bert']);
 * // throws ConfigError: "--methods: unknown method 'bert'; valid: pet, ptuning, efl, finetune"
 */
export function parseVariants(methods: readonly string[], rdropAlpha?: number, unlabeled?: number): Variant[] {
  let out: Variant[] = [];
  const same = (a: Variant, b: Variant) =>
    a.method === b.method && a.rdrop === b.rdrop && (a.unlabeled ?? false) === (b.unlabeled ?? false);
  for (const raw of methods) {
    const name = raw.trim();
    let rest = name;
    const selfTrain = rest.endsWith('+unlabeled');
    if (selfTrain) rest = rest.slice(0, -'+unlabeled'.length);
    const rdrop = rest.endsWith('+rdrop');
    const method = rdrop ? rest.slice(0, -'+rdrop'.length) : rest;
    if (!isMethod(method))
      throw new ConfigError(
        `--methods: unknown method '${method}'; valid: ${methodKinds().join(', ')} ` +
          '(each optionally with +rdrop and/or +unlabeled)',
      );
    if (rdrop && !(rdropAlpha !== undefined && rdropAlpha > 0))
      throw new ConfigError(`--methods: '${name}' needs --rdrop ALPHA > 0 (was ${rdropAlpha ?? 'unset'})`);
    if (selfTrain && !(unlabeled !== undefined && unlabeled > 0))
      throw new ConfigError(`--methods: '${name}' needs --unlabeled N > 0 (was ${unlabeled ?? 'unset'})`);
    if (selfTrain && !getMethod(method).softTargets)
      throw new ConfigError(
        `--methods: '${name}': self-training needs a method that scores each example once per label ` +
          `(${selfTrainingMethods().join(', ')}); ${method} does not`,
      );
    const v: Variant = selfTrain ? { method, rdrop, unlabeled: true } : { method, rdrop };
    if (!out.some((o) => same(o, v))) out.push(v);
  }
  if (out.length === 0) throw new ConfigError(`--methods: no methods given; valid: ${methodKinds().join(', ')}`);
  if (rdropAlpha !== undefined && rdropAlpha > 0 && !out.some((v) => v.rdrop))
    out = out.flatMap((v) => [v, { ...v, rdrop: true }]);
  if (unlabeled !== undefined && unlabeled > 0 && !out.some((v) => v.unlabeled)) {
    out = out.flatMap((v) => (getMethod(v.method).softTargets ? [v, { ...v, unlabeled: true }] : [v]));
  }
  return out;
}

/**
 * Every task × variant × split as a validated job, task by task (so an interrupted suite leaves whole
 * tasks finished). Each config goes through `parseExperimentConfig`, so a bad field fails before any run.
 * @example
 * expandJobs({
 *   tasks: ['eprstmt'],
 *   variants: parseVariants(['pet']),
 *   splits: parseSplits('0-1'),
 *   base: { maxSteps: 2 },
 * })
 *   .map((j) => j.id); // → ['eprstmt/pet/0', 'eprstmt/pet/1']
 */
export function expandJobs(grid: JobGrid): SuiteJob[] {
  const jobs: SuiteJob[] = [];
  for (const task of grid.tasks) {
    for (const v of grid.variants) {
      for (const split of grid.splits) {
        const variant = variantName(v);
        const id = `${task}/${variant}/${split}`;
        const base: Record<string, unknown> = { ...grid.base };
        if (!v.unlabeled) for (const f of SELF_TRAINING_FIELDS) delete base[f];
        const config = withPinnedPrompt(
          parseExperimentConfig(
            { ...base, task, method: v.method, split, rdropAlpha: v.rdrop ? grid.rdropAlpha : 0 },
            `job ${id}`,
          ),
        );
        jobs.push({ id, variant, config, ...(grid.track === undefined ? {} : { track: grid.track }) });
      }
    }
  }
  return jobs;
}

/**
 * `config` with the prompt its method will use written in: the FewCLUE task's default template and label
 * words (PET, P-Tuning) or descriptions (EFL) wherever the config leaves them out. A suite job carries them so
 * that its stored result names the prompt it was trained with — a task's defaults can change (EPRSTMT's PET
 * pattern did), and a result of the old default must not pass for a job of the new one. Fine-tuning and
 * custom tasks are returned unchanged.
 * @example
 * withPinnedPrompt(parseExperimentConfig({ task: 'eprstmt', method: 'pet' })).template;
 * // → "{'text': 'sentence'}我{'mask'}喜欢。"
 */
export function withPinnedPrompt(config: ExperimentConfig): ExperimentConfig {
  if (!(TASK_KINDS as readonly string[]).includes(config.task)) return config;
  return { ...config, ...resolvedPrompt(config, getTask(config.task as FewClueKind)) };
}

const SuiteJobSchema = type({
  id: /^[a-z0-9_]+\/[a-z0-9_+]+\/[a-z0-9_]+$/,
  variant: 'string > 0',
  config: 'object',
  'track?': 'boolean',
  '+': 'reject',
});

/**
 * Validates a job spec that arrived from outside the process (IPC message, queue payload).
 * @example
 * parseSuiteJob({ id: 'eprstmt/pet/0', variant: 'pet', config: { task: 'eprstmt' } }).config.method; // → 'pet'
 * parseSuiteJob({ id: 'x' }, 'queue job');  // throws ConfigError naming `id` and `variant`
 */
export function parseSuiteJob(input: unknown, source = 'suite job'): SuiteJob {
  const result = SuiteJobSchema(input);
  if (result instanceof type.errors) throw new ConfigError(`${source}: ${result.summary.replace(/\n/g, '; ')}`);
  const job: SuiteJob = {
    id: result.id,
    variant: result.variant,
    config: parseExperimentConfig(result.config, `${source} ${result.id}: config`),
  };
  if (result.track !== undefined) job.track = result.track;
  return job;
}

/**
 * Config fields that change how a run is executed, not what it measures: where test_public is scored (ORT's
 * scores equal tfjs's up to float rounding, checked on dev every run) and whether test.json is predicted too.
 * Results that differ only in these are the same experiment.
 */
export const EXECUTION_ONLY_FIELDS = ['evalEngine', 'predictTest'] as const;

/**
 * The config as an experiment's identity: canonical JSON without {@link EXECUTION_ONLY_FIELDS}.
 * @example experimentIdentity({ lr: 1e-4, evalEngine: 'onnx' }) === experimentIdentity({ lr: 1e-4 }); // → true
 */
export function experimentIdentity(config: object): string {
  const rest: Record<string, unknown> = { ...config };
  for (const k of EXECUTION_ONLY_FIELDS) delete rest[k];
  return canonicalConfig(rest);
}

/**
 * A canonical JSON of a config (keys sorted) for "is this the same run?" checks.
 * @example canonicalConfig({ b: 1, a: 2 }); // → '{"a":2,"b":1}'
 */
export function canonicalConfig(config: object): string {
  return JSON.stringify(config, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}
