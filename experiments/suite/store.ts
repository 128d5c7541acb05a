import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type } from 'arktype';
import { ConfigError, DataError } from '../../framework/errors.js';
import type { ExperimentResult } from '../run-experiment.js';
import { EXECUTION_ONLY_FIELDS, experimentIdentity, parseSuiteJob, type SuiteJob } from './jobs.js';

/** A finished job as stored under `results/`: the spec it ran and what it produced. */
export interface JobRecord {
  job: SuiteJob;
  result: ExperimentResult;
  /** Which process/machine ran it (`host:pid`), for the report's provenance. */
  worker: string;
  /** How many times it was started (1 unless a worker died or a run threw). */
  attempts: number;
  finishedAt: string;
}

const ResultSchema = type({
  task: 'string',
  method: 'string',
  split: 'string',
  devAccuracy: 'number',
  testAccuracy: 'number',
  testExamples: 'number',
  bestStep: 'number',
  steps: 'number',
  trainSeconds: 'number',
  history: 'object[]',
});
const RecordSchema = type({
  job: 'object',
  result: ResultSchema,
  worker: 'string',
  attempts: 'number',
  finishedAt: 'string',
});

/**
 * The suite's results under `--out`: one `results/<job-id>.json` per finished job (e.g.
 * `results/eprstmt/pet/0.json`), each written to a temporary file and renamed, so a file that exists is
 * complete. That is the whole resume mechanism: a rerun skips every job whose file holds the same config.
 * @example
 * const store = new ResultStore('runs/fewclue');
 * store.write({ job, result, worker: 'host:42', attempts: 1, finishedAt: new Date().toISOString() });
 * store.read('eprstmt/pet/0')?.result.testAccuracy; // → 0.8125
 */
export class ResultStore {
  constructor(readonly dir: string) {}

  /** Every record file under `results/` (none when the directory does not exist). */
  recordFiles(): string[] {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : name.endsWith('.json') ? [path] : [];
      });
    const root = join(this.dir, 'results');
    return existsSync(root) ? walk(root) : [];
  }

  /** The file a job's result lives in. */
  path(jobId: string): string {
    return join(this.dir, 'results', `${jobId}.json`);
  }

  /**
   * The stored record of `jobId`, or undefined when the job has not finished. A damaged file is a DataError naming it.
   */
  read(jobId: string): JobRecord | undefined {
    const file = this.path(jobId);
    if (!existsSync(file)) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new DataError(`${file}: not valid JSON (${(error as Error).message}); delete it to rerun the job`);
    }
    const record = RecordSchema(raw);
    if (record instanceof type.errors)
      throw new DataError(`${file}: ${record.summary.replace(/\n/g, '; ')}; delete it to rerun the job`);
    const { history, ...result } = record.result;
    return {
      ...record,
      job: parseSuiteJob(record.job, file),
      result: { ...result, history: history as ExperimentResult['history'] },
    };
  }

  /**
   * Whether `job` already finished with the same config. A stored result from a *different* config
   * (another --max-steps, --lr, model …) is a ConfigError: mixing them would corrupt the report.
   */
  isDone(job: SuiteJob): boolean {
    const record = this.read(job.id);
    if (!record) return false;
    if (experimentIdentity(record.job.config) !== experimentIdentity(job.config)) {
      const stored: Record<string, unknown> = { ...record.job.config };
      const wanted: Record<string, unknown> = { ...job.config };
      const fields = [...new Set([...Object.keys(stored), ...Object.keys(wanted)])]
        .filter((k) => !(EXECUTION_ONLY_FIELDS as readonly string[]).includes(k))
        .filter((k) => JSON.stringify(stored[k]) !== JSON.stringify(wanted[k]))
        .map((k) => `${k}: ${JSON.stringify(stored[k])} → ${JSON.stringify(wanted[k])}`);
      throw new ConfigError(
        `${this.path(job.id)} holds a result of a different config (${fields.join(', ')}); ` +
          'use another --out or delete the file',
      );
    }
    return true;
  }

  /** Writes a record atomically (temp file + rename). */
  write(record: JobRecord): void {
    const file = this.path(record.job.id);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(tmp, file);
  }
}
