import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { Queue } from 'bullmq';
import { redisConnection, runOnQueue } from './queue.js';
import { ResultStore } from './store.js';
import { runSuite } from './suite.js';
import { JOB_FAULTS } from './testing/job-faults.js';
import { saveTinyModel } from '../../framework/testing/tiny-bert.js';
import { FIXTURES_DIR, TINY_TRAIN } from '../testing/fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/fewprompt.mjs', import.meta.url));
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const skip =
  process.env.FEWPROMPT_TEST_REDIS || hasRedisServer
    ? false
    : 'no Redis: set FEWPROMPT_TEST_REDIS=redis://HOST:PORT or install redis-server (.ci/run does)';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 6390));
    });
  });
}

/** FEWPROMPT_TEST_REDIS, or a private redis-server on a free loopback port (stopped by the returned function). */
async function redisUrl(): Promise<{ url: string; stop: () => void }> {
  if (process.env.FEWPROMPT_TEST_REDIS) return { url: process.env.FEWPROMPT_TEST_REDIS, stop: () => {} };
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    if (
      spawnSync('redis-cli', ['-p', String(port), 'ping'])
        .stdout?.toString()
        .includes('PONG')
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => server.kill('SIGTERM') };
}

/** A `fewprompt worker --queue` process (jobs wait 1.5 s: testing/job-faults.ts) whose stdout lines are collected. */
function startWorker(
  url: string,
  queueName: string,
  out: string,
): { proc: ChildProcess; lines: string[]; waitFor: (re: RegExp) => Promise<string> } {
  const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
  const args = ['worker', '--queue', url, '--queue-name', queueName, '--out', out, '--lock-ms', '2000'];
  const proc = spawn(process.execPath, [BIN, ...args, '--setup', JOB_FAULTS], {
    env: { ...env, FEWPROMPT_LOG: 'warn', FEWPROMPT_TEST_JOB_DELAY_MS: '1500' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let buffer = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => x.re.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const waitFor = (re: RegExp) =>
    new Promise<string>((resolve) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) resolve(seen);
      else waiters.push({ re, resolve });
    });
  return { proc, lines, waitFor };
}

const exited = (p: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) resolve();
    else p.once('exit', () => resolve());
  });

test(`BullMQ queue: two \`fewprompt worker --queue\` processes; one is SIGKILLed mid-job \
and its job finishes on the other`, {
  timeout: 120_000,
}, async (ctx) => {
  if (skip) ctx.skip(skip);
  const redis = await redisUrl();
  const model = await saveTinyModel();
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-queue-'));
  const queueName = `fewprompt-test-${process.pid}-${Date.now()}`;
  const a = startWorker(redis.url, queueName, join(dir, 'worker-a'));
  const b = startWorker(redis.url, queueName, join(dir, 'worker-b'));
  try {
    await Promise.all([a.waitFor(/listening/), b.waitFor(/listening/)]);
    const suite = runSuite(
      {
        out: join(dir, 'out'),
        tasks: ['eprstmt', 'csl'],
        methods: ['pet'],
        splits: '0',
        queue: redis.url,
        queueName,
        track: false,
        train: { ...TINY_TRAIN, model, dataDir: FIXTURES_DIR },
      },
      { queueTimeoutMs: 100_000 },
    );
    // Kill whichever worker starts a job first, while it is in that job (jobs wait 1.5 s before training).
    const first = await Promise.race([a, b].map((w) => w.waitFor(/^started /).then((line) => ({ w, line }))));
    const killedJob = /^started (\S+)/.exec(first.line)![1]!;
    first.w.proc.kill('SIGKILL');
    const survivor = first.w === a ? b : a;

    const outcome = await suite;
    assert.deepEqual(outcome.failed, []);
    assert.deepEqual(outcome.ran.sort(), ['csl/pet/0', 'eprstmt/pet/0']);
    assert.ok(
      survivor.lines.some((l) => l.startsWith(`finished ${killedJob}`)),
      `survivor finished ${killedJob}: ${survivor.lines.join(' | ')}`,
    );
    assert.ok(!first.w.lines.some((l) => l.startsWith('finished')), 'the killed worker finished nothing');
    const store = new ResultStore(join(dir, 'out'));
    assert.equal(store.read(killedJob)?.result.testExamples, 2);
    assert.equal(outcome.report.cells.length, 2);

    // Re-running the coordinator is idempotent: everything is already stored, nothing is re-queued.
    const again = await runSuite({
      out: join(dir, 'out'),
      tasks: ['eprstmt', 'csl'],
      methods: ['pet'],
      splits: '0',
      queue: redis.url,
      queueName,
      track: false,
      train: { ...TINY_TRAIN, model, dataDir: FIXTURES_DIR },
    });
    assert.deepEqual([again.ran, again.skipped.length], [[], 2]);
  } finally {
    for (const w of [a, b]) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
    await Promise.all([exited(a.proc), exited(b.proc)]);
    const queue = new Queue(queueName, { connection: redisConnection(redis.url) });
    await queue.obliterate({ force: true });
    await queue.close();
    redis.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(model, { recursive: true, force: true });
  }
});

test('nothing listening at --queue: the coordinator and a worker fail within ~10 s with one line naming the address', {
  timeout: 90_000,
}, async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  const t0 = Date.now();
  await assert.rejects(
    runOnQueue([], {
      url,
      runsDir: mkdtempSync(join(tmpdir(), 'fewprompt-noredis-')),
      onResult: () => {},
      maxAttempts: 1,
    }),
    new RegExp(`cannot reach Redis at ${url.replace(/[.]/g, '\\.')} within 10 s; is redis-server running`),
  );
  assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
  const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
  // The 10-s limit is timed above in-process (the worker connects the same way); a hang here hits spawnSync's timeout.
  // The CLI's start-up alone takes up to ~30 s on a loaded test machine, so no wall-clock bound is asserted for it.
  const worker = spawnSync(process.execPath, [BIN, 'worker', '--queue', url], {
    env: { ...env, FEWPROMPT_LOG: 'error' },
    encoding: 'utf8',
    timeout: 55_000,
  });
  assert.equal(worker.status, 2, `worker status ${worker.status} (null: killed after 55 s) ${worker.stderr}`);
  assert.match(worker.stderr.trim(), /cannot reach Redis at .* within 10 s/);
  assert.equal(worker.stderr.trim().split('\n').length, 1, worker.stderr);
});

/** A private redis-server on `port` (no persistence: a restart comes back empty). */
async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    if (
      spawnSync('redis-cli', ['-p', String(port), 'ping'])
        .stdout?.toString()
        .includes('PONG')
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

test('Redis killed and restarted empty mid-run: no finished result is lost and the suite completes the rest', {
  timeout: 180_000,
}, async (ctx) => {
  if (!hasRedisServer) ctx.skip('needs redis-server (.ci/run installs it)');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let redis = await startRedis(port);
  const model = await saveTinyModel();
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-queue-restart-'));
  const queueName = `fewprompt-restart-${process.pid}`;
  const worker = startWorker(url, queueName, join(dir, 'worker'));
  try {
    await worker.waitFor(/listening/);
    const config = {
      out: join(dir, 'out'),
      tasks: ['eprstmt', 'csl'],
      methods: ['pet'],
      splits: '0',
      queue: url,
      queueName,
      track: false,
      train: { ...TINY_TRAIN, model, dataDir: FIXTURES_DIR },
    };
    const suite = runSuite(config, { queueTimeoutMs: 150_000 });
    const finished = /^finished (\S+)/.exec(await worker.waitFor(/^finished /))![1]!;
    redis.kill('SIGKILL');
    await exited(redis);
    redis = await startRedis(port); // empty: the finished job's completion and the other job are gone from Redis
    const outcome = await suite;
    assert.deepEqual(outcome.failed, []);
    const store = new ResultStore(join(dir, 'out'));
    for (const id of ['eprstmt/pet/0', 'csl/pet/0'])
      assert.equal(store.read(id)?.result.testExamples, 2, `${id} stored`);
    assert.ok(store.read(finished), `the job finished before the restart (${finished}) kept its result`);
  } finally {
    worker.proc.kill('SIGTERM');
    await exited(worker.proc);
    redis.kill('SIGTERM');
  }
});
