import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { TrackingError } from '../errors.js';
import { RestTracker } from './rest.js';
import { startMlflowStub } from './testing/mlflow-stub.js';
import type { MlflowStub } from './testing/mlflow-stub.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const FAST = { backoffMs: 1, maxRetries: 3 };

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one suite of tests sharing one stub server
describe('RestTracker against an MLflow REST stub', () => {
  let stub: MlflowStub;
  let tmp: string;
  beforeAll(async () => {
    stub = await startMlflowStub();
    tmp = await mkdtemp(join(tmpdir(), 'fewprompt-rest-'));
  });
  afterAll(async () => {
    await stub.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('a run is created, logged, ended and read back with valid requests only', async () => {
    const tracker = new RestTracker(stub.url, FAST, {});
    const run = await tracker.startRun({ experimentName: 'pet-eprstmt', runName: 'seed-1', tags: { task: 'eprstmt' } });
    await run.logParams({ lr: 1e-5, template: '[X]总之很[MASK]。' });
    for (let step = 0; step < 3; step++) await run.logMetric('train/loss', 1 / (step + 1), step);
    await run.logMetrics({ 'dev/acc': 0.75, 'dev/nan': NaN }, 2);
    await run.end('FINISHED');

    assert.deepEqual(stub.violations, []);
    const paths = stub.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);
    assert.deepEqual(paths.slice(0, 3), [
      'GET /api/2.0/mlflow/experiments/get-by-name',
      'POST /api/2.0/mlflow/experiments/create',
      'POST /api/2.0/mlflow/runs/create',
    ]);
    const create = stub.requests[2]?.body ?? {};
    assert.equal(create.run_name, 'seed-1');
    assert.equal(create.experiment_id, '1');
    assert.ok(Number.isSafeInteger(create.start_time));
    const sentTags = Object.fromEntries((create.tags as { key: string; value: string }[]).map((t) => [t.key, t.value]));
    assert.equal(sentTags['mlflow.runName'], 'seed-1');
    assert.equal(sentTags['mlflow.source.type'], 'LOCAL');
    assert.equal(sentTags.task, 'eprstmt');

    const batch = stub.requests.find(
      (r) =>
        r.path.endsWith('log-batch') && Array.isArray(r.body.metrics) && (r.body.metrics as unknown[]).length === 2,
    );
    assert.ok(batch, 'no log-batch request with the two dev metrics');
    assert.deepEqual(
      (batch.body.metrics as { value: unknown }[]).map((m) => m.value),
      [0.75, 'NaN'],
    );
    const update = stub.requests.at(-1);
    assert.equal(update?.path, '/api/2.0/mlflow/runs/update');
    assert.equal(update?.body.status, 'FINISHED');

    const record = await tracker.getRun(run.runId);
    assert.equal(record.info.status, 'FINISHED');
    assert.equal(record.info.runName, 'seed-1');
    assert.equal(record.params.lr, '0.00001');
    assert.equal(record.params.template, '[X]总之很[MASK]。');
    assert.equal(record.metrics['train/loss'], 1 / 3);
    assert.equal(record.metrics['dev/acc'], 0.75);
    const history = await tracker.getMetricHistory(run.runId, 'train/loss');
    assert.deepEqual(
      history.map((p) => [p.step, p.value]),
      [
        [0, 1],
        [1, 0.5],
        [2, 1 / 3],
      ],
    );

    const listed = await tracker.listRuns('pet-eprstmt');
    assert.deepEqual(
      listed.map((r) => r.info.runId),
      [run.runId],
    );
    assert.deepEqual(await tracker.listRuns('no-such-experiment'), []);
    assert.deepEqual(stub.violations, []);
  });

  test('log-batch requests respect MLflow limits: 1000 metrics, 100 params, 100 tags, 1000 total', async () => {
    const tracker = new RestTracker(stub.url, FAST, {});
    const run = await tracker.startRun({ experimentName: 'limits' });
    const before = stub.requests.length;
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i]));
    const tags = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`t${i}`, `v${i}`]));
    const metrics = Array.from({ length: 2500 }, (_, i) => ({
      key: `m${i % 7}`,
      value: i,
      timestamp: 1_700_000_000_000 + i,
      step: i,
    }));
    await run.logBatch({
      metrics,
      params: Object.entries(params).map(([key, value]) => ({ key, value: String(value) })),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    const batches = stub.requests.slice(before).map((r) => r.body);
    const count = (b: Record<string, unknown>, k: string) => (b[k] as unknown[]).length;
    for (const b of batches) {
      assert.ok(count(b, 'params') <= 100 && count(b, 'tags') <= 100 && count(b, 'metrics') <= 1000);
      assert.ok(count(b, 'params') + count(b, 'tags') + count(b, 'metrics') <= 1000);
    }
    assert.equal(
      batches.reduce((s, b) => s + count(b, 'metrics'), 0),
      2500,
    );
    assert.equal(
      batches.reduce((s, b) => s + count(b, 'params'), 0),
      250,
    );
    assert.equal(
      batches.reduce((s, b) => s + count(b, 'tags'), 0),
      150,
    );
    assert.equal(batches.length, 3);
    assert.deepEqual(stub.violations, []);
    assert.equal((await tracker.getMetricHistory(run.runId, 'm0')).length, 358);
  });

  test('503s are retried with backoff; a persistent 503 fails naming the endpoint', async () => {
    const tracker = new RestTracker(stub.url, FAST, {});
    const run = await tracker.startRun({});
    const before = stub.requests.length;
    stub.failNext(2, 503);
    await run.logMetric('loss', 0.5, 1);
    assert.equal(stub.requests.length - before, 3);
    assert.equal((await tracker.getRun(run.runId)).metrics.loss, 0.5);

    stub.failNext(10, 503);
    await assert.rejects(
      run.logMetric('loss', 0.4, 2),
      (e: unknown) =>
        e instanceof TrackingError &&
        /POST \/api\/2\.0\/mlflow\/runs\/log-batch failed: HTTP 503 TEMPORARILY_UNAVAILABLE/.test(e.message),
    );
    stub.failNext(0, 503);
  });

  test('server errors carry error_code and message; bad keys fail before any request', async () => {
    const tracker = new RestTracker(stub.url, FAST, {});
    await assert.rejects(
      tracker.getRun('0123456789abcdef0123456789abcdef'),
      (e: unknown) =>
        e instanceof TrackingError &&
        e.details.errorCode === 'RESOURCE_DOES_NOT_EXIST' &&
        e.details.status === 404 &&
        e.message.includes('GET /api/2.0/mlflow/runs/get'),
    );
    const run = await tracker.startRun({ experimentName: 'pet-eprstmt' });
    await run.logParams({ lr: 0.1 });
    await assert.rejects(run.logParams({ lr: 0.2 }), /INVALID_PARAMETER_VALUE: Changing param values is not allowed/);
    const before = stub.requests.length;
    await assert.rejects(run.logMetric('acc@1', 1), /Invalid metric name: 'acc@1'/);
    assert.equal(stub.requests.length, before);
  });

  test('artifacts go through the mlflow-artifacts proxy with PUT', async () => {
    const tracker = new RestTracker(stub.url, FAST, {});
    const run = await tracker.startRun({ experimentName: 'artifacts' });
    assert.match(run.artifactUri, /^mlflow-artifacts:\/\d+\/[0-9a-f]{32}\/artifacts$/);
    const prefix = run.artifactUri.slice('mlflow-artifacts:/'.length);
    await writeFile(join(tmp, 'cm.png'), PNG);
    await run.logArtifact(join(tmp, 'cm.png'), 'plots');
    await run.logDict({ acc: 0.9, labels: ['正面', '负面'] }, 'eval/summary.json');
    await mkdir(join(tmp, 'ckpt', 'sub'), { recursive: true });
    await writeFile(join(tmp, 'ckpt', 'config.json'), '{}');
    await writeFile(join(tmp, 'ckpt', 'sub', 'w.bin'), Buffer.from([1, 2, 3]));
    await run.logArtifact(join(tmp, 'ckpt'), 'model');

    const png = stub.artifacts.get(`${prefix}/plots/cm.png`);
    assert.deepEqual(png?.body, PNG);
    assert.equal(png?.contentType, 'image/png');
    const json = stub.artifacts.get(`${prefix}/eval/summary.json`);
    assert.deepEqual(JSON.parse(json?.body.toString('utf8') ?? ''), { acc: 0.9, labels: ['正面', '负面'] });
    assert.equal(json?.contentType, 'application/json');
    assert.ok(stub.artifacts.has(`${prefix}/model/config.json`));
    assert.deepEqual(stub.artifacts.get(`${prefix}/model/sub/w.bin`)?.body, Buffer.from([1, 2, 3]));
    assert.ok(stub.requests.filter((r) => r.path.includes('mlflow-artifacts')).every((r) => r.method === 'PUT'));
  });
});

describe('the MLflow stub itself', () => {
  test('rejects requests that break the REST reference', async () => {
    const stub = await startMlflowStub();
    try {
      const post = (path: string, body: object) =>
        fetch(`${stub.url}/api/2.0/mlflow/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const bad = await post('runs/log-batch', {
        run_id: 'x',
        metrics: [{ key: 'a', value: 1, timestamp: 1.5, step: 0 }],
      });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /"error_code":"INVALID_PARAMETER_VALUE"/);
      await post('runs/log-batch', { metrics: [] });
      await post('runs/update', { run_id: 'x', status: 'DONE' });
      await fetch(`${stub.url}/api/2.0/mlflow/runs/get`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.deepEqual(stub.violations, [
        'runs/log-batch: field \'metrics\' is not metric[]: [{"key":"a","value":1,"timestamp":1.5,"step":0}]',
        "runs/log-batch: missing required field 'run_id'",
        'runs/update: field \'status\' is not status: "DONE"',
        'runs/get: method POST, expected GET',
        "runs/get: missing required field 'run_id'",
      ]);
    } finally {
      await stub.close();
    }
  });
});

describe('RestTracker auth', () => {
  test('MLFLOW_TRACKING_TOKEN is sent as Bearer', async () => {
    const stub = await startMlflowStub({ authorization: 'Bearer s3cret' });
    try {
      const tracker = new RestTracker(stub.url, FAST, { MLFLOW_TRACKING_TOKEN: 's3cret' });
      await (await tracker.startRun({ experimentName: 'auth' })).end();
      assert.ok(stub.requests.every((r) => r.headers.authorization === 'Bearer s3cret'));
      const anonymous = new RestTracker(stub.url, FAST, {});
      await assert.rejects(
        anonymous.startRun({}),
        (e: unknown) => e instanceof TrackingError && e.details.status === 401,
      );
    } finally {
      await stub.close();
    }
  });

  test('MLFLOW_TRACKING_USERNAME/PASSWORD are sent as Basic auth', async () => {
    const expected = `Basic ${Buffer.from('alice:pa:ss').toString('base64')}`;
    const stub = await startMlflowStub({ authorization: expected });
    try {
      const tracker = new RestTracker(stub.url, FAST, {
        MLFLOW_TRACKING_USERNAME: 'alice',
        MLFLOW_TRACKING_PASSWORD: 'pa:ss',
      });
      const run = await tracker.startRun({});
      await run.logText('hello', 'notes.txt');
      await run.end('KILLED');
      assert.equal((await tracker.getRun(run.runId)).info.status, 'KILLED');
      assert.deepEqual(stub.violations, []);
    } finally {
      await stub.close();
    }
  });

  test('a file: artifact location is written directly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fewprompt-rest-art-'));
    const stub = await startMlflowStub({ artifactRoot: `file://${dir}` });
    try {
      const run = await new RestTracker(stub.url, FAST, {}).startRun({});
      await run.logText('ok', 'a/b.txt');
      const { readFile } = await import('node:fs/promises');
      assert.equal(await readFile(join(dir, run.runId, 'artifacts', 'a', 'b.txt'), 'utf8'), 'ok');
    } finally {
      await stub.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
