import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type } from 'arktype';
import { ConfigError } from '../../framework/errors.js';
import { log } from '../../framework/log.js';
import { TASK_KINDS } from '../../datasets/index.js';
import type { ExperimentConfigInput } from '../config/experiment.js';
import { expandJobs, parseSplits, parseVariants, type SuiteJob } from './jobs.js';
import { runInProcess, runLocalPool, type ExecutorOptions, type FailedJob } from './local-pool.js';
import { runOnQueue } from './queue.js';
import { buildReport, writeReport, type ReportFiles, type SuiteReport } from './report.js';
import { ResultStore, type JobRecord } from './store.js';

/**
 * `runSuite` options, validated with arktype (errors name the field). `train` holds every other
 * experiment-config field (model, maxSteps, epochs, lr, dataDir, maxTestExamples, …), checked per job.
 */
export const SuiteOptionsSchema = type({
  out: 'string > 0',
  'tasks?': 'string[] > 0',
  'methods?': 'string[] > 0',
  /** `0-4`, `0,2`, `few_all`. */
  'splits?': 'string > 0',
  /** R-Drop α: adds a `METHOD+rdrop` variant of every method (or sets α for `+rdrop` entries). */
  'rdrop?': 'number > 0',
  'workers?': '1 <= number.integer <= 64',
  'queue?': 'string > 0',
  'queueName?': /^[\w.-]+$/,
  'track?': 'boolean',
  'maxAttempts?': '1 <= number.integer <= 10',
  'train?': 'Record<string, unknown>',
  '+': 'reject',
});
export type SuiteOptionsInput = typeof SuiteOptionsSchema.infer;

/** Parsed options with defaults (all nine tasks, PET, splits 0-4, in-process, tracking on). */
export interface SuiteOptions {
  out: string;
  tasks: string[];
  methods: string[];
  splits: string;
  rdrop?: number;
  workers: number;
  queue?: string;
  queueName?: string;
  track: boolean;
  maxAttempts: number;
  train: Omit<ExperimentConfigInput, 'task' | 'method' | 'split' | 'rdropAlpha'>;
}

const SUITE_FIELDS = ['task', 'method', 'split', 'rdropAlpha'] as const;

/**
 * Validates suite options and fills defaults.
 * @example
 * parseSuiteOptions({ out: 'runs/x', tasks: ['eprstmt'], workers: 0 });
 * // throws ConfigError: "suite options: workers must be at least 1 (was 0)"
 */
export function parseSuiteOptions(input: unknown, source = 'suite options'): SuiteOptions {
  const o = SuiteOptionsSchema(input);
  if (o instanceof type.errors) throw new ConfigError(`${source}: ${o.summary.replace(/\n/g, '; ')}`);
  // A suite over the user's own task (train.customTask): that task only, under its name.
  const custom = (o.train as { customTask?: { name?: unknown } } | undefined)?.customTask?.name;
  const valid = typeof custom === 'string' ? [custom] : [...TASK_KINDS];
  const tasks = o.tasks ?? valid;
  tasks.forEach((t, i) => {
    if (!valid.includes(t))
      throw new ConfigError(`${source}: tasks[${i}]: unknown task '${t}'; valid: ${valid.join(', ')}`);
  });
  const train = { ...o.train };
  for (const f of SUITE_FIELDS)
    if (f in train)
      throw new ConfigError(`${source}: train.${f} is set by the suite; use tasks / methods / splits / rdrop instead`);
  if (o.queue !== undefined && o.workers !== undefined && o.workers > 1)
    throw new ConfigError(
      `${source}: workers (${o.workers}) and queue are exclusive; ` +
        `start queue workers with 'fewprompt worker --queue ${o.queue}'`,
    );
  return {
    out: o.out,
    tasks,
    methods: o.methods ?? ['pet'],
    splits: o.splits ?? '0-4',
    workers: o.workers ?? 1,
    track: o.track ?? true,
    maxAttempts: o.maxAttempts ?? 2,
    train,
    ...(o.rdrop === undefined ? {} : { rdrop: o.rdrop }),
    ...(o.queue === undefined ? {} : { queue: o.queue }),
    ...(o.queueName === undefined ? {} : { queueName: o.queueName }),
  };
}

/** The jobs a suite stands for (validated; a bad train field fails here, naming the field). */
export function suiteJobs(options: SuiteOptions): SuiteJob[] {
  return expandJobs({
    tasks: options.tasks,
    variants: parseVariants(options.methods, options.rdrop, options.train.unlabeled),
    splits: parseSplits(options.splits),
    rdropAlpha: options.rdrop,
    base: options.train,
    track: options.track,
  });
}

/** What a suite run did. */
export interface SuiteOutcome {
  jobs: SuiteJob[];
  /** Already finished before this run (resumed). */
  skipped: string[];
  /** Finished in this run. */
  ran: string[];
  failed: FailedJob[];
  report: SuiteReport;
  files: ReportFiles;
}

/**
 * Runs a FewCLUE suite: expands tasks × methods × splits into jobs, skips those already stored under
 * `out/results/`, runs the rest (in-process, `workers` child processes, or over a BullMQ `queue`),
 * stores each result as it arrives, and writes `report.md`, `report.json`, `report.html`, `chart.svg`.
 * @example
 * const outcome = await runSuite({
 *   out: 'runs/fewclue',
 *   tasks: ['eprstmt'],
 *   methods: ['pet', 'efl'],
 *   splits: '0-4',
 *   workers: 2,
 *   train: { model: 'models/zh-mini' },
 * });
 * outcome.report.overall; // → [{ variant: 'pet', mean: 61.2, tasks: 1, complete: true }, …]
 */
export async function runSuite(
  input: SuiteOptionsInput | SuiteOptions,
  hooks: {
    env?: NodeJS.ProcessEnv;
    queueTimeoutMs?: number;
    /** With `workers` > 1: a module each worker process imports first (`WorkerSetup` in child-process.ts). */
    workerSetup?: string;
  } = {},
): Promise<SuiteOutcome> {
  const options = parseSuiteOptions(input);
  const jobs = suiteJobs(options);
  const store = new ResultStore(options.out);
  mkdirSync(options.out, { recursive: true });
  writeFileSync(
    join(options.out, 'suite.json'),
    `${JSON.stringify({ ...options, jobs: jobs.map((j) => j.id) }, null, 2)}\n`,
  );
  const skipped = jobs.filter((j) => store.isDone(j)).map((j) => j.id);
  const todo = jobs.filter((j) => !skipped.includes(j.id));
  if (skipped.length > 0)
    log.info(
      `suite: ${skipped.length} of ${jobs.length} jobs already finished in ${options.out}; running ${todo.length}`,
    );
  const ran: string[] = [];
  const executor: ExecutorOptions = {
    runsDir: join(options.out, 'runs'),
    maxAttempts: options.maxAttempts,
    onResult: (record: JobRecord) => {
      store.write(record);
      ran.push(record.job.id);
      log.info(
        `suite: ${record.job.id} done: test_public ${(100 * record.result.testAccuracy).toFixed(2)} ` +
          `(${ran.length + skipped.length}/${jobs.length})`,
      );
    },
    onStart: (job, attempt) => log.info(`suite: ${job.id} started${attempt > 1 ? ` (attempt ${attempt})` : ''}`),
  };
  let failed: FailedJob[] = [];
  if (todo.length > 0) {
    if (options.queue !== undefined) {
      failed = await runOnQueue(todo, {
        ...executor,
        url: options.queue,
        name: options.queueName,
        timeoutMs: hooks.queueTimeoutMs,
        resultsDir: resolve(options.out),
        lookup: (id) => store.read(id),
      });
    } else if (options.workers > 1)
      failed = await runLocalPool(todo, {
        ...executor,
        workers: options.workers,
        env: workerEnv(hooks.env ?? process.env, options.workers),
        setup: hooks.workerSetup,
      });
    else failed = await runInProcess(todo, executor);
  }
  const records = jobs.flatMap((j) => store.read(j.id) ?? []);
  const report = buildReport(jobs, records, failed);
  const files = writeReport(options.out, report);
  return { jobs, skipped, ran, failed, report, files };
}

/**
 * A local worker's environment: each of N workers gets cores ÷ N threads for training (the native backend's
 * `FEWPROMPT_THREADS`, tfjs-wasm's) and ONNX Runtime scoring (`evalEngine: 'onnx'`), so N workers do not each start
 * thread pools over every core; explicit `FEWPROMPT_THREADS` / `FEWPROMPT_WASM_THREADS` / `FEWPROMPT_ORT_THREADS`
 * settings are kept.
 * @example workerEnv({}, 2)['FEWPROMPT_ORT_THREADS']; // → '1' on a 2-core machine
 */
export function workerEnv(env: NodeJS.ProcessEnv, workers: number): NodeJS.ProcessEnv {
  const share = String(Math.max(1, Math.floor(availableParallelism() / workers)));
  return {
    ...env,
    FEWPROMPT_THREADS: env['FEWPROMPT_THREADS'] ?? share,
    FEWPROMPT_WASM_THREADS: env['FEWPROMPT_WASM_THREADS'] ?? share,
    FEWPROMPT_ORT_THREADS: env['FEWPROMPT_ORT_THREADS'] ?? share,
  };
}
