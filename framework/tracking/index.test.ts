import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'vitest';
import { pathToFileURL } from 'node:url';
import { UnknownKindError } from '../errors.js';
import { FileStoreTracker, NullTracker, RestTracker, TRACKERS, createTracker, trackerFromConfig } from './index.js';

test('createTracker picks the store from the tracking URI', () => {
  const rest = createTracker('https://mlflow.example.com:5000');
  assert.ok(rest instanceof RestTracker);
  assert.equal(rest.getConfig().uri, 'https://mlflow.example.com:5000');

  const fromUri = createTracker('file:///data/mlruns');
  assert.ok(fromUri instanceof FileStoreTracker);
  assert.equal(fromUri.root, '/data/mlruns');
  const plain = createTracker('runs/store');
  assert.ok(plain instanceof FileStoreTracker);
  assert.equal(plain.root, resolve('runs/store'));
  const unset = createTracker(undefined);
  assert.ok(unset instanceof FileStoreTracker);
  assert.equal(unset.root, resolve('mlruns'));
});

test('createTracker defaults to MLFLOW_TRACKING_URI', () => {
  const saved = process.env.MLFLOW_TRACKING_URI;
  try {
    process.env.MLFLOW_TRACKING_URI = 'http://127.0.0.1:5000';
    assert.ok(createTracker() instanceof RestTracker);
    delete process.env.MLFLOW_TRACKING_URI;
    assert.ok(createTracker() instanceof FileStoreTracker);
  } finally {
    if (saved === undefined) delete process.env.MLFLOW_TRACKING_URI;
    else process.env.MLFLOW_TRACKING_URI = saved;
  }
});

test('fromConfig(getConfig()) round-trips every tracker kind; unknown kinds list the valid ones', () => {
  const trackers = [new FileStoreTracker('/tmp/x/mlruns'), new RestTracker('http://127.0.0.1:1'), new NullTracker()];
  assert.deepEqual(trackers.map((t) => t.getConfig().type).sort(), TRACKERS.map((c) => c.kind).sort());
  for (const tracker of trackers)
    assert.deepEqual(trackerFromConfig(tracker.getConfig()).getConfig(), tracker.getConfig());
  assert.throws(
    () => trackerFromConfig({ type: 'wandb' }),
    (e: unknown) => e instanceof UnknownKindError && e.message === "unknown tracker 'wandb'; valid: file, rest, null",
  );
});

test('a file: URI store is created where it points, lazily', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fewprompt-uri-'));
  try {
    const tracker = createTracker(pathToFileURL(join(dir, 'store')).href);
    await assert.rejects(stat(join(dir, 'store')));
    const run = await tracker.startRun({ experimentName: 'uri' });
    await run.end();
    assert.ok((await stat(join(dir, 'store', '0', 'meta.yaml'))).isFile());
    assert.equal((await tracker.listRuns('uri')).length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('NullTracker accepts everything and records nothing', async () => {
  const tracker = new NullTracker();
  const run = await tracker.startRun({ experimentName: 'off' });
  await run.logParams({ lr: 1 });
  await run.logMetric('not a valid key?', 1);
  await run.logArtifact('/does/not/exist');
  await run.logDict({ a: 1 }, 'a.json');
  await run.end('KILLED');
  assert.equal(run.runId, 'null');
  assert.deepEqual(await tracker.listRuns('off'), []);
  await assert.rejects(tracker.getRun('abc'), /tracking is off/);
});

test('tracking URIs: http(s) → REST, file: and paths → file store, other schemes refused with what to do', async () => {
  const { trackerConfigForUri } = await import('./index.js');
  assert.deepEqual(trackerConfigForUri('https://mlflow.example:5000'), {
    type: 'rest',
    uri: 'https://mlflow.example:5000',
  });
  assert.deepEqual(trackerConfigForUri('file:///data/mlruns'), { type: 'file', uri: 'file:///data/mlruns' });
  assert.deepEqual(trackerConfigForUri('runs/mlruns'), { type: 'file', uri: 'runs/mlruns' });
  for (const uri of ['sqlite:///mlflow.db', 'postgresql://u@db/mlflow', 'databricks:']) {
    assert.throws(
      () => trackerConfigForUri(uri),
      (e: Error) =>
        e.name === 'TrackingError' &&
        e.message.includes(`MLFLOW_TRACKING_URI '${uri}'`) &&
        /mlflow server --backend-store-uri/.test(e.message),
    );
  }
});
