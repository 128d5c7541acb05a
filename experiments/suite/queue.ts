import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { type } from 'arktype';
import { ConfigError, JobError } from '../../framework/errors.js';
import { log } from '../../framework/log.js';
import type { ExperimentResult } from '../run-experiment.js';
import { JobChild } from './child-process.js';
import { canonicalConfig, parseSuiteJob, type SuiteJob } from './jobs.js';
import type { ExecutorOptions, FailedJob } from './local-pool.js';
import { ResultStore, type JobRecord } from './store.js';

/** Queue name used when `--queue-name` is not given. */
export const DEFAULT_QUEUE_NAME = 'fewprompt-fewclue';

/**
 * BullMQ connection options for a `redis://[user:password@]host:port[/db]` (or `rediss://`) URL.
 * @example
 * redisConnection('redis://10.0.0.5:6379/2'); // → { host: '10.0.0.5', port: 6379, db: 2, maxRetriesPerRequest: null }
 * redisConnection('http://x');
 * // throws ConfigError: "--queue 'http://x': expected redis://HOST:PORT[/DB] or rediss://…"
 */
export function redisConnection(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`--queue '${url}': expected redis://HOST:PORT[/DB] or rediss://…`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new ConfigError(`--queue '${url}': expected redis://HOST:PORT[/DB] or rediss://…`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new ConfigError(`--queue '${url}': database '${db}' must be a number`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // Workers block on Redis; BullMQ requires this to be null.
    maxRetriesPerRequest: null,
  };
}

/** How long the coordinator and workers wait for Redis at start before failing with a message. */
export const REDIS_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Resolves when `client` (a BullMQ Queue or Worker) has connected; rejects with one line naming the address after
 * `timeoutMs` (ioredis otherwise retries silently for ever: `fewclue --queue` printed nothing and waited).
 */
export async function waitForRedis(
  client: { waitUntilReady(): Promise<unknown> },
  url: string,
  timeoutMs = REDIS_CONNECT_TIMEOUT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ConfigError(
            `cannot reach Redis at ${url} within ${timeoutMs / 1000} s; is redis-server running and the address right?`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.waitUntilReady(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a queue worker hands back through Redis as the job's return value. */
interface QueueReturn {
  result: ExperimentResult;
  worker: string;
  attempts: number;
}
const QueueReturnSchema = type({ result: 'object', worker: 'string', attempts: 'number' });

/** Where the queue lives and how long the coordinator waits. */
export interface QueueOptions {
  url: string;
  name?: string;
  /** Poll interval for job states (default 1000 ms). */
  pollMs?: number;
  /** Give up waiting after this long (default: wait until every job is finished or failed). */
  timeoutMs?: number;
  /**
   * The suite's result store (an absolute path), sent with each job: a worker that can reach it writes the result
   * there before it acknowledges the job, so a Redis that restarts empty loses no finished result.
   */
  resultsDir?: string;
  /** The stored record of a job, if any: consulted when a job vanishes from Redis. */
  lookup?: (jobId: string) => JobRecord | undefined;
}

/**
 * The coordinator side of `--queue`: adds every job (BullMQ `jobId` = suite job id, so re-adding after a
 * coordinator restart is a no-op; `attempts` = `maxAttempts`), then polls until each is completed or has
 * failed for good, handing results to `onResult` as they arrive. A job left `failed` by an earlier suite
 * is retried; one left from a different config is replaced. Workers: `fewprompt worker --queue URL`.
 * @example
 * const failed = await runOnQueue(jobs, {
 *   url: 'redis://127.0.0.1:6379',
 *   runsDir: 'out/runs',
 *   onResult: (r) => store.write(r),
 * });
 */
export async function runOnQueue(
  jobs: readonly SuiteJob[],
  options: ExecutorOptions & QueueOptions,
): Promise<FailedJob[]> {
  const attempts = options.maxAttempts ?? 2;
  const queue = new Queue(options.name ?? DEFAULT_QUEUE_NAME, { connection: redisConnection(options.url) });
  const failed: FailedJob[] = [];
  const enqueue = (job: SuiteJob) =>
    queue.add(
      'fewclue',
      { job, ...(options.resultsDir ? { resultsDir: options.resultsDir } : {}) },
      { jobId: job.id, attempts, removeOnComplete: false, removeOnFail: false },
    );
  let silentSince: number | undefined;
  queue.on('error', (error) => {
    // ioredis reconnects with backoff by itself; say once per outage that it is doing so.
    if (silentSince === undefined)
      log.warn(`queue: Redis at ${options.url} unreachable (${error.message}); retrying until it is back`);
    silentSince ??= Date.now();
  });
  try {
    await waitForRedis(queue, options.url);
    for (const job of jobs) {
      const existing = await queue.getJob(job.id);
      if (existing) {
        const state = await existing.getState();
        const same =
          canonicalConfig((existing.data as { job?: SuiteJob }).job?.config ?? {}) === canonicalConfig(job.config);
        if (!same && state !== 'active') await existing.remove();
        else if (!same)
          throw new ConfigError(
            `queue job ${job.id} is running with a different config; wait for it or use another --queue-name`,
          );
        else if (state === 'failed') {
          await existing.retry('failed');
          continue;
        } else continue;
      }
      await enqueue(job);
    }
    const pending = new Map(jobs.map((j) => [j.id, j]));
    const started = Date.now();
    while (pending.size > 0) {
      for (const [id, job] of pending) {
        const bull = await queue.getJob(id);
        if (silentSince !== undefined) {
          log.info(
            `queue: Redis at ${options.url} answers again after ${((Date.now() - silentSince) / 1000).toFixed(0)} s`,
          );
          silentSince = undefined;
        }
        const state = bull ? await bull.getState() : 'unknown';
        if (bull && state === 'completed') {
          // Read the job again: the snapshot above may predate its completion (state is read in a second call),
          // and then holds no return value yet.
          const done = (await queue.getJob(id)) ?? bull;
          const value = QueueReturnSchema(done.returnvalue);
          if (value instanceof type.errors)
            throw new JobError(`queue job ${id}: malformed return value (${value.summary})`, id);
          const ret = done.returnvalue as QueueReturn;
          options.onResult({
            job,
            result: ret.result,
            worker: ret.worker,
            attempts: ret.attempts,
            finishedAt: new Date(done.finishedOn ?? Date.now()).toISOString(),
          });
          pending.delete(id);
        } else if (bull && state === 'failed') {
          failed.push({ id, reason: bull.failedReason, attempts: bull.attemptsStarted });
          pending.delete(id);
        } else if (!bull) {
          // Redis restarted empty (or another coordinator removed the job): a worker may have stored the result
          // before acknowledging; otherwise the job runs again.
          const stored = options.lookup?.(id);
          if (stored) {
            options.onResult(stored);
            pending.delete(id);
          } else {
            log.warn(`queue: job ${id} vanished from Redis (restarted empty?) with no stored result; queued again`);
            await enqueue(job);
          }
        }
      }
      if (pending.size === 0) break;
      if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
        throw new JobError(
          `gave up after ${options.timeoutMs} ms waiting for ${pending.size} queue jobs ` +
            `(${[...pending.keys()].slice(0, 5).join(', ')}…); are workers running?`,
          [...pending.keys()][0]!,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  } finally {
    await queue.close();
  }
  return failed;
}

/**
 * Writes a finished job's record into the coordinator's result store when this worker can reach it (same machine or
 * a shared filesystem) — before the job is acknowledged, so the result outlives a Redis restart. A store it cannot
 * reach is left to the coordinator, which writes the result when it sees the job completed.
 */
function storeResult(resultsDir: unknown, record: JobRecord): void {
  if (typeof resultsDir !== 'string' || !isAbsolute(resultsDir) || !existsSync(resultsDir)) return;
  try {
    new ResultStore(resultsDir).write(record);
  } catch (error) {
    log.warn(
      `queue worker: could not write ${record.job.id}'s result to ${resultsDir} (${(error as Error).message}); ` +
        'the coordinator will',
    );
  }
}

/** How a queue worker runs. */
export interface QueueWorkerOptions {
  url: string;
  name?: string;
  /** Per-job artefacts go under `runsDir/<job-id>/` on this machine. */
  runsDir: string;
  /**
   * How long a job's lock lives without renewal: a killed worker's
   * job returns to the queue after about this long (default 30 s).
   */
  lockMs?: number;
  /** A worker setup module each job process imports first (see `WorkerSetup` in child-process.ts). */
  setup?: string;
  onEvent?: (event: 'started' | 'finished' | 'failed', jobId: string, detail: string) => void;
}

/**
 * The worker side of `--queue` (`fewprompt worker --queue URL`): takes one job at a time and runs it in a
 * `worker --local` child process, so this process keeps renewing the job's lock while tfjs computes. If
 * this worker dies, the lock expires and another worker's stalled check puts the job back in the queue;
 * if the child dies, the job fails this attempt and BullMQ retries it (`attempts`). Config/data errors
 * are unrecoverable (no retry). Returns a handle whose `ready` settles once Redis answers (or rejects after
 * {@link REDIS_CONNECT_TIMEOUT_MS}) and whose `close()` finishes the current job first.
 * @example
 * const worker = startQueueWorker({ url: 'redis://127.0.0.1:6379', runsDir: 'worker-runs' });
 * process.on('SIGTERM', () => void worker.close());
 */
export function startQueueWorker(options: QueueWorkerOptions): { ready: Promise<void>; close: () => Promise<void> } {
  let child: JobChild | undefined;
  const lockDuration = options.lockMs ?? 30_000;
  const worker = new Worker<{ job: unknown; resultsDir?: unknown }, QueueReturn>(
    options.name ?? DEFAULT_QUEUE_NAME,
    async (bull) => {
      let job: SuiteJob;
      try {
        job = parseSuiteJob(bull.data.job, `queue job ${bull.id}`);
      } catch (error) {
        throw new UnrecoverableError((error as Error).message);
      }
      const attempt = bull.attemptsStarted;
      options.onEvent?.('started', job.id, `attempt ${attempt}`);
      if (!child?.alive) child = await JobChild.spawn(process.env, options.setup);
      try {
        const { result, worker: name } = await child.run(job, options.runsDir, attempt);
        storeResult(bull.data.resultsDir, {
          job,
          result,
          worker: name,
          attempts: attempt,
          finishedAt: new Date().toISOString(),
        });
        options.onEvent?.('finished', job.id, `test_public ${result.testAccuracy.toFixed(4)}`);
        return { result, worker: name, attempts: attempt };
      } catch (error) {
        options.onEvent?.('failed', job.id, (error as Error).message);
        if (error instanceof JobError && !error.retryable) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    {
      connection: redisConnection(options.url),
      concurrency: 1,
      lockDuration,
      stalledInterval: Math.min(lockDuration, 30_000),
      maxStalledCount: 1,
    },
  );
  worker.on('error', (error) => log.warn(`queue worker: ${error.message}`));
  return {
    ready: waitForRedis(worker, options.url),
    async close() {
      await worker.close();
      await child?.stop();
    },
  };
}
