import { fork, type ChildProcess } from 'node:child_process';
import { TRAINING_NODE_FLAGS, trainingEnv } from '../../bin/training-process.mjs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, JobError } from '../../framework/errors.js';
import type { ExperimentResult } from '../run-experiment.js';
import { executeJob, isRetryable, workerName } from './execute.js';
import { parseSuiteJob, type SuiteJob } from './jobs.js';
import { packagePath } from '../../framework/package-paths.js';

const BIN = packagePath('bin/fewprompt.mjs');

/** Parent → child. */
type ToChild = { type: 'run'; job: SuiteJob; runsDir: string; attempt: number } | { type: 'stop' };
/** Child → parent. */
type ToParent =
  | { type: 'ready' }
  | { type: 'done'; id: string; result: ExperimentResult; worker: string }
  | { type: 'failed'; id: string; message: string; retryable: boolean; fatal: boolean };

/** A finished job as a child reports it. */
export interface ChildResult {
  result: ExperimentResult;
  worker: string;
}

/**
 * One `fewprompt worker --local` child process that runs jobs sent over IPC, one at a time. Training runs
 * there, not in the caller, so the caller's event loop stays free (a BullMQ worker must keep renewing its
 * job lock while tfjs computes synchronously). If the child dies mid-job, or its job trapped inside
 * WebAssembly (after which the child exits: see {@link isWasmTrap}), `run` rejects with a `JobError` whose
 * `crashed` is true; the handle is then dead and a fresh one must be spawned.
 * @example
 * const child = await JobChild.spawn();
 * const { result } = await child.run(job, 'out/runs', 1); // result.testAccuracy → 0.5
 * await child.stop();
 */
export class JobChild {
  private pending: { id: string; resolve: (r: ChildResult) => void; reject: (e: Error) => void } | undefined;
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: ToParent) => this.onMessage(message));
    child.on('exit', (code, signal) => {
      this.exited = true;
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(
        new JobError(
          `job ${pending.id}: worker process ${child.pid} died (${signal ?? `exit code ${code}`})`,
          pending.id,
          { crashed: true },
        ),
      );
    });
  }

  /**
   * Starts a child and waits until it is ready for jobs; `setup` is a {@link WorkerSetup} module the child imports
   * first (`fewprompt worker --local --setup MODULE`).
   */
  static spawn(env: NodeJS.ProcessEnv = process.env, setup?: string): Promise<JobChild> {
    const { NODE_TEST_CONTEXT: _testContext, ...childEnv } = env;
    const child = fork(BIN, ['worker', '--local', ...(setup === undefined ? [] : ['--setup', setup])], {
      execArgv: [...TRAINING_NODE_FLAGS],
      env: trainingEnv(childEnv),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new ConfigError(`worker process exited with ${code} before it was ready`));
      child.once('exit', onExit);
      child.once('message', (m: ToParent) => {
        child.off('exit', onExit);
        if (m.type === 'ready') resolve(new JobChild(child));
        else reject(new ConfigError(`worker process sent '${m.type}' before 'ready'`));
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs `job` in the child; per-job artefacts go under `runsDir/<id>/`. */
  run(job: SuiteJob, runsDir: string, attempt: number): Promise<ChildResult> {
    if (this.exited)
      return Promise.reject(
        new JobError(`job ${job.id}: worker process ${this.child.pid} is gone`, job.id, { crashed: true }),
      );
    if (this.pending)
      return Promise.reject(new JobError(`job ${job.id}: worker process is busy with ${this.pending.id}`, job.id));
    return new Promise((resolve, reject) => {
      this.pending = { id: job.id, resolve, reject };
      const message: ToChild = { type: 'run', job, runsDir, attempt };
      this.child.send(message);
    });
  }

  /** Asks the child to exit; kills it if it has not after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const message: ToChild = { type: 'stop' };
    this.child.send(message);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private onMessage(message: ToParent): void {
    const pending = this.pending;
    if (!pending || message.type === 'ready') return;
    this.pending = undefined;
    if (message.type === 'done') {
      pending.resolve({ result: message.result, worker: message.worker });
    } else if (message.fatal) {
      this.exited = true; // the child exits after this message; the next job needs a fresh one
      pending.reject(
        new JobError(
          `job ${message.id}: ${message.message} ` +
            `(WebAssembly trap: worker process ${this.child.pid} exits, a fresh one takes the next job)`,
          message.id,
          { retryable: message.retryable, crashed: true },
        ),
      );
    } else {
      pending.reject(
        new JobError(`job ${message.id}: ${message.message}`, message.id, { retryable: message.retryable }),
      );
    }
  }
}

/**
 * A trap inside WebAssembly (tfjs-wasm's "memory access out of bounds", "table index is out of bounds",
 * Emscripten's `Aborted()`): the module's heap is in an unknown state afterwards, and every later job in the
 * same process aborted at once (the FewCLUE suite lost 9 jobs to one such trap), so the child reports the
 * failure and exits.
 */
export function isWasmTrap(error: unknown): boolean {
  // WebAssembly.RuntimeError by name: the project's TypeScript libs do not declare the WebAssembly namespace.
  return error instanceof Error && error.name === 'RuntimeError';
}

/**
 * What a worker setup module (`fewprompt worker --setup MODULE`, `runSuite`'s `workerSetup`) may export. Each job
 * process imports it before its first job: register custom methods there (`registerMethod`) so that jobs in worker
 * processes find them. `beforeJob`, if exported, then runs before each job, as part of it: what it throws fails the
 * job (tests inject crashes and traps this way: experiments/suite/testing/job-faults.ts).
 */
export interface WorkerSetup {
  beforeJob?: (job: SuiteJob, attempt: number) => void | Promise<void>;
}

/**
 * Imports a {@link WorkerSetup} module: a path (from the working directory) or a `file:` URL.
 * @example const { beforeJob } = await importWorkerSetup('my-methods.js'); // beforeJob → undefined
 */
export async function importWorkerSetup(module: string): Promise<WorkerSetup> {
  const url = module.startsWith('file:') ? module : pathToFileURL(resolve(module)).href;
  const exports = (await import(url)) as Record<string, unknown>;
  const beforeJob = exports['beforeJob'];
  if (beforeJob !== undefined && typeof beforeJob !== 'function')
    throw new ConfigError(`worker setup ${module}: 'beforeJob' must be a function, got ${typeof beforeJob}`);
  return { beforeJob: beforeJob as WorkerSetup['beforeJob'] };
}

/**
 * The child side (`fewprompt worker --local [--setup MODULE]`): imports the setup module, announces itself, then runs
 * each job it is sent until told to stop or its parent goes away (a killed parent must not leave an orphan training
 * on).
 */
export async function serveJobsOverIpc(setup?: string): Promise<number> {
  const raw = process.send?.bind(process);
  if (!raw)
    throw new ConfigError(
      'fewprompt worker --local talks to its suite coordinator over IPC; ' +
        'start it with --queue redis://HOST:PORT instead',
    );
  const send = (m: ToParent): boolean => raw(m);
  const { beforeJob } = setup === undefined ? {} : await importWorkerSetup(setup);
  return new Promise((resolve) => {
    process.on('disconnect', () => process.exit(1));
    process.on('message', (message: ToChild) => {
      if (message.type === 'stop') {
        process.removeAllListeners('disconnect');
        process.disconnect?.();
        resolve(0);
        return;
      }
      void (async () => {
        let id = '?';
        try {
          const job = parseSuiteJob(message.job, 'IPC job');
          id = job.id;
          await beforeJob?.(job, message.attempt);
          const result = await executeJob(job, { runsDir: message.runsDir });
          send({ type: 'done', id, result, worker: workerName() });
        } catch (error) {
          const fatal = isWasmTrap(error);
          const failed: ToParent = {
            type: 'failed',
            id,
            message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            retryable: isRetryable(error),
            fatal,
          };
          if (!fatal) {
            send(failed);
            return;
          }
          process.removeAllListeners('disconnect');
          process.send!(failed, undefined, undefined, () => process.exit(1));
        }
      })();
    });
    send({ type: 'ready' });
  });
}
