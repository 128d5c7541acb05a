import { JobError } from '../../framework/errors.js';
import { log } from '../../framework/log.js';
import { JobChild } from './child-process.js';
import { executeJob, isRetryable, workerName } from './execute.js';
import type { SuiteJob } from './jobs.js';
import type { JobRecord } from './store.js';

/** A job that did not finish after all its attempts. */
export interface FailedJob {
  id: string;
  reason: string;
  attempts: number;
}

/** Callbacks and limits shared by every executor (in-process, local pool, queue). */
export interface ExecutorOptions {
  /** Per-job artefacts go under `runsDir/<job-id>/`. */
  runsDir: string;
  /** Starts per job, counting crashes and thrown errors (default 2: one retry). */
  maxAttempts?: number;
  /** Called once per finished job, in the coordinator, as results arrive (the suite stores it). */
  onResult: (record: JobRecord) => void;
  /** Called when a job starts (attempt ≥ 1) — for progress lines. */
  onStart?: (job: SuiteJob, attempt: number) => void;
}

function record(job: SuiteJob, result: JobRecord['result'], worker: string, attempts: number): JobRecord {
  return { job, result, worker, attempts, finishedAt: new Date().toISOString() };
}

/**
 * Runs jobs one after another in this process (`--workers 1`). A thrown non-fewprompt error is retried
 * up to `maxAttempts`; there is no crash recovery, since a crash here is the coordinator's own.
 * @example
 * const failed = await runInProcess(jobs, { runsDir: 'out/runs', onResult: (r) => store.write(r) }); // → []
 */
export async function runInProcess(jobs: readonly SuiteJob[], options: ExecutorOptions): Promise<FailedJob[]> {
  const maxAttempts = options.maxAttempts ?? 2;
  const failed: FailedJob[] = [];
  for (const job of jobs) {
    for (let attempt = 1; ; attempt++) {
      options.onStart?.(job, attempt);
      try {
        const result = await executeJob(job, { runsDir: options.runsDir, progress: process.stderr.isTTY });
        options.onResult(record(job, result, workerName(), attempt));
        break;
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (isRetryable(error) && attempt < maxAttempts) {
          log.warn(`${job.id}: attempt ${attempt} failed (${reason}); retrying`);
          continue;
        }
        failed.push({ id: job.id, reason, attempts: attempt });
        break;
      }
    }
  }
  return failed;
}

/**
 * Runs jobs in `workers` child processes (`fewprompt worker --local`, jobs over IPC). A child that dies
 * mid-job is replaced by a fresh one and its job is retried (up to `maxAttempts` starts); a job whose run
 * threw a typed fewprompt error (bad config/data) is not retried, since it would fail the same way.
 * @example
 * const failed = await runLocalPool(jobs, { workers: 2, runsDir:
 * 'out/runs', onResult: (r) => store.write(r) }); // → []
 */
export async function runLocalPool(
  jobs: readonly SuiteJob[],
  options: ExecutorOptions & { workers: number; env?: NodeJS.ProcessEnv; setup?: string },
): Promise<FailedJob[]> {
  const maxAttempts = options.maxAttempts ?? 2;
  const queue = jobs.map((job) => ({ job, attempt: 1 }));
  const failed: FailedJob[] = [];
  const slot = async (): Promise<void> => {
    let child: JobChild | undefined;
    try {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const { job, attempt } = item;
        if (!child?.alive) child = await JobChild.spawn(options.env, options.setup);
        options.onStart?.(job, attempt);
        try {
          const { result, worker } = await child.run(job, options.runsDir, attempt);
          options.onResult(record(job, result, worker, attempt));
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          const retry = (!(error instanceof JobError) || error.retryable) && attempt < maxAttempts;
          if (retry) {
            log.warn(
              `${reason}; retrying (attempt ${attempt + 1} of ${maxAttempts})` +
                `${error instanceof JobError && error.crashed ? ' in a fresh worker' : ''}`,
            );
            queue.unshift({ job, attempt: attempt + 1 });
          } else {
            failed.push({ id: job.id, reason, attempts: attempt });
          }
        }
      }
    } finally {
      await child?.stop();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, jobs.length)) }, slot));
  return failed;
}
