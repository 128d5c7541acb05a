import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FewpromptError } from '../../framework/errors.js';
import { NullTracker, createTracker } from '../../framework/tracking/index.js';
import { runExperiment, type ExperimentResult } from '../run-experiment.js';
import type { SuiteJob } from './jobs.js';

/** Seconds between a suite job's trainer checkpoints (at evaluations). */
export const JOB_CHECKPOINT_SECONDS = 60;

/** Where and how a job runs inside the current process. */
export interface ExecuteOptions {
  /** Per-job artefacts (config, metrics, predictions, checkpoint) go under `runsDir/<job-id>/`. */
  runsDir?: string;
  progress?: boolean;
}

/**
 * This process's name in result records (`host:pid`).
 * @example workerName(); // → 'gpu-box-3:41822'
 */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Runs one suite job in this process: MLflow run (unless `job.track === false`), training, test_public
 * scoring. With `runsDir` the trainer checkpoints under `runsDir/<id>/checkpoint` and resumes from it, so
 * a job retried on the same machine after a crash continues instead of starting over.
 * @example
 * const result = await executeJob(expandJobs(grid)[0], { runsDir: 'out/runs' });
 * result.testAccuracy; // → 0.5625
 */
export async function executeJob(job: SuiteJob, options: ExecuteOptions = {}): Promise<ExperimentResult> {
  const tracker = job.track === false ? new NullTracker() : createTracker();
  const run = await tracker.startRun({
    experimentName: `fewclue-${job.config.task}`,
    runName: job.id.replaceAll('/', '-'),
  });
  try {
    const out = options.runsDir === undefined ? undefined : join(options.runsDir, job.id);
    // A job lasts minutes: checkpoint at most once a minute, and drop the checkpoint once the result is in (it only
    // serves a retry of this job; kept, it is ~135 MB per job of the shipped model).
    const result = await runExperiment(job.config, {
      out,
      resume: out !== undefined,
      saveModel: false,
      run,
      progress: options.progress ?? false,
      checkpointMinSeconds: JOB_CHECKPOINT_SECONDS,
    });
    if (out !== undefined)
      for (const d of ['checkpoint', 'checkpoint.old', 'checkpoint.new'])
        rmSync(join(out, d), { recursive: true, force: true });
    await run.end('FINISHED');
    return result;
  } catch (error) {
    await run.end('FAILED');
    throw error;
  }
}

/**
 * Whether a retry could help: typed fewprompt errors (bad config, bad data file) fail the same way again.
 * @example isRetryable(new ConfigError('lr must be positive')); // → false
 */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof FewpromptError);
}
