/**
 * A worker setup module (`WorkerSetup`, ../child-process.ts) that injects faults into suite jobs, so tests exercise
 * crash recovery without flaky timing. Tests pass it as `runSuite`'s `workerSetup` or `fewprompt worker --setup`,
 * and say what to inject in the environment the workers inherit:
 * - `FEWPROMPT_TEST_CRASH_ONCE=DIR`: the first time any worker starts job X it creates the marker
 *   `DIR/<X with / as __>.crashed` (holding the worker's name) and exits with status 1; a retry sees the marker and
 *   runs normally.
 * - `FEWPROMPT_TEST_WASM_TRAP_ONCE=DIR`: the same, but the first attempt throws an error named `RuntimeError`, as a
 *   WebAssembly trap does.
 * - `FEWPROMPT_TEST_JOB_DELAY_MS=N`: sleep N ms before each job, so a test can kill a worker mid-job.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workerName } from '../execute.js';
import type { SuiteJob } from '../jobs.js';

/** This module's path, for `workerSetup` / `--setup`. */
export const JOB_FAULTS = fileURLToPath(import.meta.url);

/** Runs before each job in a worker process (the `WorkerSetup` hook). */
export async function beforeJob(job: SuiteJob): Promise<void> {
  const firstTime = (dir: string, suffix: string): boolean => {
    const marker = join(dir, `${job.id.replaceAll('/', '__')}.${suffix}`);
    if (existsSync(marker)) return false;
    mkdirSync(dir, { recursive: true });
    writeFileSync(marker, `${workerName()}\n`);
    return true;
  };
  const crashDir = process.env.FEWPROMPT_TEST_CRASH_ONCE;
  if (crashDir && firstTime(crashDir, 'crashed')) process.exit(1);
  const trapDir = process.env.FEWPROMPT_TEST_WASM_TRAP_ONCE;
  if (trapDir && firstTime(trapDir, 'trapped'))
    throw Object.assign(new Error('memory access out of bounds (test hook)'), { name: 'RuntimeError' });
  const delay = Number(process.env.FEWPROMPT_TEST_JOB_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
}
