/**
 * The FewCLUE suite under failure: a local worker process SIGKILLed mid-job, and Redis killed and restarted empty in
 * the middle of a `fewclue --queue` run served by `fewprompt worker --queue`.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  attempt,
  type Bench,
  cliEnv,
  fp,
  freePort,
  hasRedis,
  record,
  seconds,
  sleep,
  start,
  startGroup,
  startRedis,
  within,
} from './harness.js';

/** Tiny suite jobs: EPRSTMT's splits, 2 steps each, 16 test examples. */
const JOB = ['--tasks', 'eprstmt', '--max-steps', '2', '--max-test-examples', '16', '--no-predict-test', '--no-track'];

/** Stored results of a suite folder: job id → attempts. */
function stored(out: string): Map<string, number> {
  const dir = join(out, 'results/eprstmt/pet');
  const found = new Map<string, number>();
  if (!existsSync(dir)) return found;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { job: { id: string }; attempts: number };
    found.set(rec.job.id, rec.attempts);
  }
  return found;
}

/** Process ids under `root` (children, grandchildren…) whose command line matches `re`. */
function descendants(root: number, re: RegExp): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout ?? '';
  const rows = ps
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const under = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows)
      if (under.has(r.ppid) && !under.has(r.pid)) {
        under.add(r.pid);
        grew = true;
      }
  }
  return rows.filter((r) => r.pid !== root && under.has(r.pid) && re.test(r.args)).map((r) => r.pid);
}

/** `fewclue --workers 2` over 3 jobs; one worker process is SIGKILLed while it runs a job. */
async function killedWorker(bench: Bench): Promise<void> {
  const out = join(bench.work, 'suite-workers');
  // A suite resumes: results stored by an earlier bench would skip its jobs.
  rmSync(out, { recursive: true, force: true });
  const t0 = Date.now();
  const p = start(['fewclue', ...JOB, '--splits', '0-2', '--workers', '2', '--out', out], cliEnv('info'));
  await p.waitFor(/suite: \S+ started/, 300_000);
  await sleep(1500);
  const workers = descendants(p.proc.pid!, /worker --local/);
  if (workers[0] !== undefined) process.kill(workers[0], 'SIGKILL');
  const code = await within(p, 600_000);
  const results = stored(out);
  const retried = [...results].filter(([, attempts]) => attempts > 1).map(([id]) => id);
  record(
    'a suite worker SIGKILLed mid-job (--workers 2, 3 jobs)',
    'exit 0; all 3 stored; the killed job retried',
    `${workers.length} workers, killed ${workers[0] ?? 'none'}; exit ${code}; ${results.size} stored; ` +
      `retried: ${retried.join(', ') || 'none'}`,
    code === 0 && results.size === 3 && retried.length === 1,
    seconds(t0),
  );
}

/**
 * Redis killed (SIGKILL) once a worker has finished a job, and restarted empty on the same port: the finished result
 * must already be on disk, the coordinator must complete the rest, and a rerun must find everything stored.
 */
async function redisRestart(bench: Bench): Promise<void> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const out = join(bench.work, 'suite-queue');
  rmSync(out, { recursive: true, force: true });
  const queue = ['--queue', url, '--queue-name', 'reliability'];
  let redis: ChildProcess = await startRedis(port);
  const t0 = Date.now();
  const worker = start(['worker', ...queue, '--out', join(bench.work, 'queue-worker'), '--lock-ms', '5000']);
  const coordinator = start(['fewclue', ...JOB, '--splits', '0-3', ...queue, '--out', out], cliEnv('warn'));
  try {
    await worker.waitFor(/listening/, 120_000);
    const early = coordinator.exited.then((code) => {
      throw new Error(
        `the coordinator exited (${code}) before a job finished: ${coordinator.stderr.slice(-2).join(' ')}`,
      );
    });
    const line = await Promise.race([worker.waitFor(/^finished /, 600_000), early]);
    const finished = /^finished (\S+)/.exec(line)![1]!;
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    const onDisk = stored(out).has(finished);
    await sleep(3000); // an outage the coordinator and the worker have to notice
    redis = await startRedis(port);
    const code = await within(coordinator, 900_000);
    const results = stored(out);
    const again = fp(['fewclue', ...JOB, '--splits', '0-3', ...queue, '--out', out], 300_000, cliEnv('info'));
    const summary = /fewclue: (\d+) run, (\d+) resumed, (\d+) failed/.exec(again.stderr + again.stdout);
    const noticed = coordinator.stderr.filter((l) => /unreachable|vanished/.test(l)).length;
    record(
      'Redis SIGKILLed and restarted empty mid-run (fewclue --queue, 4 jobs, 1 worker)',
      'finished job on disk at the kill; exit 0; all 4 stored; rerun: 0 run, 4 resumed',
      `${finished} ${onDisk ? 'on disk' : 'NOT on disk'} at the kill; coordinator warned ${noticed}× ` +
        `(outage, vanished jobs); exit ${code}; ${results.size} stored; ` +
        `rerun exit ${again.status}: ${summary?.[0] ?? again.stderr.slice(-120)}`,
      onDisk && code === 0 && results.size === 4 && again.status === 0 && summary?.[1] === '0' && summary[2] === '4',
      seconds(t0),
    );
  } finally {
    coordinator.kill('SIGKILL');
    worker.kill('SIGTERM');
    await within(worker, 60_000);
    redis.kill('SIGTERM');
  }
}

export async function suiteCases(bench: Bench): Promise<void> {
  startGroup('suite');
  await attempt('a suite worker SIGKILLed mid-job', 'retried', () => killedWorker(bench));
  if (!hasRedis()) {
    record('Redis restarted empty mid-run', 'no finished result lost', 'skipped: no /usr/bin/redis-server', false);
    return;
  }
  await attempt('Redis restarted empty mid-run', 'no finished result lost', () => redisRestart(bench));
}
