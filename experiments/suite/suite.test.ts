import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { ResultStore } from './store.js';
import { runSuite } from './suite.js';
import { JOB_FAULTS } from './testing/job-faults.js';
import { saveTinyModel } from '../../framework/testing/tiny-bert.js';
import { FIXTURES_DIR, TINY_TRAIN } from '../testing/fixtures.js';

let model = '';
const temp: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temp.push(d);
  return d;
};
beforeAll(async () => {
  model = await saveTinyModel();
  temp.push(model);
});
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

test('in-process suite on the bundled EPRSTMT is resumable job by job', async () => {
  const out = tempDir('fewprompt-suite-');
  const options = {
    out,
    tasks: ['eprstmt'],
    methods: ['pet'],
    splits: '0-1',
    track: false,
    train: { ...TINY_TRAIN, model },
  };
  const first = await runSuite(options);
  assert.deepEqual(first.ran.sort(), ['eprstmt/pet/0', 'eprstmt/pet/1']);
  assert.deepEqual(first.skipped, []);
  const store = new ResultStore(out);
  assert.equal(store.read('eprstmt/pet/0')?.result.testExamples, 16);
  assert.equal(first.report.cells[0]?.n, 2);
  for (const f of ['report.md', 'report.json', 'report.html', 'chart.svg', 'suite.json'])
    assert.ok(existsSync(join(out, f)), f);
  // A finished job's trainer checkpoint is dropped (it only serves a retry); its metrics stay.
  assert.ok(existsSync(join(out, 'runs', 'eprstmt', 'pet', '0', 'metrics.json')));
  assert.ok(!existsSync(join(out, 'runs', 'eprstmt', 'pet', '0', 'checkpoint')));

  // An interrupted suite: one result is gone, so only that job runs again.
  rmSync(store.path('eprstmt/pet/1'));
  const second = await runSuite(options);
  assert.deepEqual(second.skipped, ['eprstmt/pet/0']);
  assert.deepEqual(second.ran, ['eprstmt/pet/1']);
  const third = await runSuite(options);
  assert.deepEqual([third.ran, third.skipped.length], [[], 2]);
  assert.deepEqual(third.report, second.report);

  // Fields that only change how a run executes (scoring engine, test.json predictions) are the same experiment.
  const fourth = await runSuite({ ...options, train: { ...options.train, evalEngine: 'onnx', predictTest: false } });
  assert.deepEqual([fourth.ran, fourth.skipped.length], [[], 2]);

  // Same out, different config: refuse to mix results, naming the field that differs.
  await assert.rejects(
    runSuite({ ...options, train: { ...options.train, maxSteps: 3 } }),
    /different config \(maxSteps: 2 → 3\)/,
  );
});

test(`local pool: 2 worker processes run real jobs; a worker that dies mid-job \
has its job retried in a fresh one`, async () => {
  const out = tempDir('fewprompt-pool-');
  const crashDir = tempDir('fewprompt-crash-');
  // FEWPROMPT_TEST_CRASH_ONCE: each job's first attempt exits the child with status 1 (testing/job-faults.ts).
  const env = { ...process.env, FEWPROMPT_TEST_CRASH_ONCE: crashDir };
  const outcome = await runSuite(
    {
      out,
      tasks: ['eprstmt', 'csl'],
      methods: ['pet'],
      splits: '0',
      workers: 2,
      track: false,
      train: { ...TINY_TRAIN, model, dataDir: FIXTURES_DIR },
    },
    { env, workerSetup: JOB_FAULTS },
  );
  assert.deepEqual(outcome.failed, []);
  assert.deepEqual(outcome.ran.sort(), ['csl/pet/0', 'eprstmt/pet/0']);
  assert.equal(readdirSync(crashDir).length, 2, 'every job crashed its first worker');
  const store = new ResultStore(out);
  const records = outcome.ran.map((id) => store.read(id)!);
  assert.deepEqual(
    records.map((r) => r.attempts),
    [2, 2],
  );
  assert.ok(new Set(records.map((r) => r.worker)).size >= 2, 'jobs ran in more than one process');
  assert.ok(
    records.every((r) => !r.worker.endsWith(`:${process.pid}`)),
    'nothing ran in the coordinator',
  );
  assert.ok(existsSync(join(out, 'runs', 'csl', 'pet', '0', 'metrics.json')));

  // With one attempt allowed, a crash is final: the job is reported as failed, not stored.
  const out2 = tempDir('fewprompt-pool-');
  const crash2 = tempDir('fewprompt-crash-');
  const failing = await runSuite(
    {
      out: out2,
      tasks: ['csl'],
      methods: ['pet'],
      splits: '0',
      workers: 2,
      maxAttempts: 1,
      track: false,
      train: { ...TINY_TRAIN, model, dataDir: FIXTURES_DIR },
    },
    { env: { ...process.env, FEWPROMPT_TEST_CRASH_ONCE: crash2 }, workerSetup: JOB_FAULTS },
  );
  assert.equal(failing.failed.length, 1);
  assert.match(failing.failed[0]!.reason, /job csl\/pet\/0: worker process \d+ died \(exit code 1\)/);
  assert.deepEqual(failing.report.missing, ['csl/pet/0']);
});

test(`local pool: a job that traps inside WebAssembly takes its worker down with it; \
the retry and the next job get fresh workers`, async () => {
  const out = tempDir('fewprompt-pool-');
  const trapDir = tempDir('fewprompt-trap-');
  // FEWPROMPT_TEST_WASM_TRAP_ONCE: each job's first attempt throws a RuntimeError (testing/job-faults.ts).
  const outcome = await runSuite(
    {
      out,
      tasks: ['eprstmt', 'csl'],
      methods: ['pet'],
      splits: '0',
      workers: 2,
      track: false,
      train: { ...TINY_TRAIN, model, dataDir: FIXTURES_DIR },
    },
    { env: { ...process.env, FEWPROMPT_TEST_WASM_TRAP_ONCE: trapDir }, workerSetup: JOB_FAULTS },
  );
  assert.deepEqual(outcome.failed, []);
  assert.equal(readdirSync(trapDir).length, 2, 'every job trapped once');
  const store = new ResultStore(out);
  const records = outcome.ran.map((id) => store.read(id)!);
  assert.deepEqual(
    records.map((r) => r.attempts),
    [2, 2],
  );
  // Without the restart each retry would have run in the process that trapped.
  const trappedIn = new Set(readdirSync(trapDir).map((f) => readFileSync(join(trapDir, f), 'utf8').trim()));
  const ranIn = new Set(records.map((r) => r.worker));
  assert.equal(ranIn.size, 2, `the two jobs finished in two different fresh workers: ${[...ranIn].join(', ')}`);
  for (const w of ranIn) assert.ok(!trappedIn.has(w), `${w} ran a job after a trap`);
});
