import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TrackingError } from '../errors.js';
import { FileStoreTracker } from './file-store.js';
import { parseMetaYaml } from './meta-yaml.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one suite of tests sharing one store directory
describe('FileStoreTracker', () => {
  let tmp: string;
  let root: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'fewprompt-mlruns-'));
    root = join(tmp, 'mlruns');
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  test('a run is logged and read back', async () => {
    const tracker = new FileStoreTracker(root);
    const run = await tracker.startRun({ experimentName: 'pet-eprstmt', runName: 'seed-1', tags: { task: 'eprstmt' } });
    await run.logParams({ lr: 1e-5, batch_size: 8, template: '[X]总之很[MASK]。', seed: null });
    for (let step = 0; step < 3; step++)
      await run.logMetric('train/loss', 1 / (step + 1), step, 1_700_000_000_000 + step);
    await run.logMetrics({ 'dev/acc': 0.8125 }, 2);
    await run.setTags({ note: 'first try' });
    await run.end('FINISHED');

    const record = await tracker.getRun(run.runId);
    assert.equal(record.info.status, 'FINISHED');
    assert.equal(record.info.runName, 'seed-1');
    assert.ok(record.info.endTime !== null && record.info.endTime >= record.info.startTime);
    assert.deepEqual(record.params, { lr: '0.00001', batch_size: '8', template: '[X]总之很[MASK]。', seed: '' });
    assert.deepEqual(record.metrics, { 'train/loss': 1 / 3, 'dev/acc': 0.8125 });
    assert.equal(record.tags.task, 'eprstmt');
    assert.equal(record.tags.note, 'first try');
    assert.equal(record.tags['mlflow.runName'], 'seed-1');
    assert.equal(record.tags['mlflow.source.type'], 'LOCAL');
    assert.ok(record.tags['mlflow.user']);
    const history = await tracker.getMetricHistory(run.runId, 'train/loss');
    assert.deepEqual(
      history.map((p) => [p.timestamp, p.value, p.step]),
      [
        [1_700_000_000_000, 1, 0],
        [1_700_000_000_001, 0.5, 1],
        [1_700_000_000_002, 1 / 3, 2],
      ],
    );
    assert.deepEqual(
      (await tracker.listRuns('pet-eprstmt')).map((r) => r.info.runId),
      [run.runId],
    );
    assert.deepEqual(await tracker.listRuns('missing'), []);
  });

  test("the layout is MLflow's: meta.yaml fields, metric lines, params, tags, Default experiment", async () => {
    const tracker = new FileStoreTracker(`file://${root}`);
    const run = await tracker.startRun({ experimentName: 'layout', runName: 'r1' });
    const experiment = await tracker.getExperimentByName('layout');
    assert.ok(experiment);
    const expId = experiment.experimentId;
    assert.match(expId, /^[1-9]\d{17}$/);
    const rootUri = pathToFileURL(root).href;

    const defaultMeta = await readFile(join(root, '0', 'meta.yaml'), 'utf8');
    assert.match(
      defaultMeta,
      new RegExp(
        `^artifact_location: ${rootUri}/0\ncreation_time: \\d{13}\nexperiment_id: '0'\nlast_update_time: \\d{13}\n` +
          'lifecycle_stage: active\nname: Default\n$',
      ),
    );
    const expMeta = await readFile(join(root, expId, 'meta.yaml'), 'utf8');
    assert.match(
      expMeta,
      new RegExp(
        `^artifact_location: ${rootUri}/${expId}\ncreation_time: \\d{13}\nexperiment_id: '${expId}'\n` +
          'last_update_time: \\d{13}\nlifecycle_stage: active\nname: layout\n$',
      ),
    );
    assert.ok((await stat(join(root, '.trash'))).isDirectory());

    const runDir = join(root, expId, run.runId);
    const runningMeta = await readFile(join(runDir, 'meta.yaml'), 'utf8');
    assert.match(
      runningMeta,
      new RegExp(
        `^artifact_uri: ${rootUri}/${expId}/${run.runId}/artifacts\n` +
          "deleted_time: null\nend_time: null\nentry_point_name: ''\n" +
          `experiment_id: '${expId}'\nlifecycle_stage: active\nrun_id: ${run.runId}\n` +
          `run_name: r1\nrun_uuid: ${run.runId}\n` +
          "source_name: ''\nsource_type: 4\nsource_version: ''\n" +
          'start_time: \\d{13}\nstatus: 1\ntags: \\[\\]\nuser_id: \\S+\n$',
      ),
    );
    assert.deepEqual((await readdir(runDir)).sort(), ['artifacts', 'meta.yaml', 'metrics', 'params', 'tags']);

    await run.logMetric('dev/acc', 0.5, 10, 1_700_000_000_123);
    await run.logMetric('dev/acc', 1, 11, 1_700_000_000_456);
    await run.logMetric('loss', 1e-5, 0, 1_700_000_000_789);
    await run.logParams({ 'optim/lr': 0.001 });
    await run.end('FAILED');
    assert.equal(
      await readFile(join(runDir, 'metrics', 'dev', 'acc'), 'utf8'),
      '1700000000123 0.5 10\n1700000000456 1.0 11\n',
    );
    assert.equal(await readFile(join(runDir, 'metrics', 'loss'), 'utf8'), '1700000000789 1e-05 0\n');
    assert.equal(await readFile(join(runDir, 'params', 'optim', 'lr'), 'utf8'), '0.001');
    assert.equal(await readFile(join(runDir, 'tags', 'mlflow.runName'), 'utf8'), 'r1');
    assert.equal(await readFile(join(runDir, 'tags', 'mlflow.source.type'), 'utf8'), 'LOCAL');
    const ended = parseMetaYaml(await readFile(join(runDir, 'meta.yaml'), 'utf8'));
    assert.equal(ended.status, 4);
    assert.equal(typeof ended.end_time, 'number');
    assert.equal('deleted_time' in ended, false);
  });

  test('keys are validated as MLflow does, naming the key; params are write-once', async () => {
    const tracker = new FileStoreTracker(root);
    const run = await tracker.startRun({ experimentName: 'validation' });
    for (const bad of ['acc@1', '../escape', '/abs', 'a//b', 'trailing/', '']) {
      await assert.rejects(
        run.logMetric(bad, 1),
        (e: unknown) => e instanceof TrackingError && e.message.includes(`'${bad}'`),
      );
    }
    await assert.rejects(run.logParams({ 'bad:key': 1 }), /Invalid parameter name: 'bad:key'/);
    await assert.rejects(run.setTags({ 'a/./b': 'x' }), /Invalid tag name: 'a\/\.\/b'/);
    await assert.rejects(run.logMetric('ok', 1, 1.5), /invalid step 1.5 for metric 'ok'/);
    await run.logMetric('中文 指标-1.x', 1);
    await run.logParams({ lr: 0.1 });
    await run.logParams({ lr: 0.1 });
    await assert.rejects(run.logParams({ lr: 0.2 }), /Param with key='lr' was already logged with value='0.1'/);
    await assert.rejects(tracker.getRun('../../etc'), /Invalid run ID/);
  });

  test('artifacts: a PNG, a JSON dict, text and a directory', async () => {
    const tracker = new FileStoreTracker(root);
    const run = await tracker.startRun({ experimentName: 'artifacts' });
    const art = fileURLToPath(run.artifactUri);
    await writeFile(join(tmp, 'cm.png'), PNG);
    await run.logArtifact(join(tmp, 'cm.png'));
    await run.logArtifact(join(tmp, 'cm.png'), 'plots/confusion');
    await run.logDict({ acc: 0.9, labels: ['正面', '负面'] }, 'eval/summary.json');
    await run.logText('# report\n', 'report.md');
    await mkdir(join(tmp, 'ckpt', 'sub'), { recursive: true });
    await writeFile(join(tmp, 'ckpt', 'config.json'), '{"hidden":8}');
    await writeFile(join(tmp, 'ckpt', 'sub', 'w.bin'), Buffer.from([1, 2, 3]));
    await run.logArtifact(join(tmp, 'ckpt'), 'model');

    assert.deepEqual(await readFile(join(art, 'cm.png')), PNG);
    assert.deepEqual(await readFile(join(art, 'plots', 'confusion', 'cm.png')), PNG);
    assert.deepEqual(JSON.parse(await readFile(join(art, 'eval', 'summary.json'), 'utf8')), {
      acc: 0.9,
      labels: ['正面', '负面'],
    });
    assert.equal(await readFile(join(art, 'report.md'), 'utf8'), '# report\n');
    assert.equal(await readFile(join(art, 'model', 'config.json'), 'utf8'), '{"hidden":8}');
    assert.deepEqual(await readFile(join(art, 'model', 'sub', 'w.bin')), Buffer.from([1, 2, 3]));
    await assert.rejects(run.logText('x', '../outside.txt'), /Invalid artifact path/);
    await assert.rejects(run.logArtifact(join(tmp, 'missing.png')), /no such file/);
  });

  test('concurrent async writers in one process share experiments without duplicates', async () => {
    const trackers = [new FileStoreTracker(root), new FileStoreTracker(root)];
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => trackers[i % 2]?.startRun({ experimentName: 'async-race' })),
    );
    await Promise.all(
      runs.map(async (run, i) => {
        for (let step = 0; step < 20; step++) await run?.logMetric('loss', i + step / 100, step);
        await run?.end();
      }),
    );
    const names = await experimentNames(root);
    assert.equal(names.filter((n) => n === 'async-race').length, 1);
    const listed = await trackers[0]?.listRuns('async-race');
    assert.equal(listed?.length, 8);
    for (const r of listed ?? []) assert.equal((await trackers[0]?.getMetricHistory(r.info.runId, 'loss'))?.length, 20);
  });

  test('two processes logging to the same store do not corrupt it', async () => {
    const shared = join(tmp, 'shared-mlruns');
    const [a, b] = await Promise.all([writer(shared, 'a'), writer(shared, 'b')]);
    const tracker = new FileStoreTracker(shared);
    const names = await experimentNames(shared);
    for (const name of ['race-0', 'race-1', 'race-2']) assert.equal(names.filter((n) => n === name).length, 1, name);
    const all = [...a, ...b];
    assert.equal(new Set(all).size, 8);
    for (const id of all) {
      const run = await tracker.getRun(id);
      assert.equal(run.info.status, 'FINISHED');
      const loss = await tracker.getMetricHistory(id, 'loss');
      assert.deepEqual(
        loss.map((p) => p.step),
        Array.from({ length: 60 }, (_, i) => i),
      );
      assert.equal(run.metrics['dev/acc'], 59 / 60);
    }
    const listed = (await Promise.all(['race-0', 'race-1', 'race-2'].map((n) => tracker.listRuns(n)))).flat();
    assert.deepEqual(listed.map((r) => r.info.runId).sort(), [...all].sort());
  });
});

async function experimentNames(root: string): Promise<string[]> {
  const names: string[] = [];
  for (const dir of await readdir(root)) {
    if (dir.startsWith('.')) continue;
    names.push(String(parseMetaYaml(await readFile(join(root, dir, 'meta.yaml'), 'utf8')).name));
  }
  return names;
}

function writer(root: string, tag: string): Promise<string[]> {
  const script = fileURLToPath(new URL('./testing/concurrent-writer.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, root, tag, '4', '60'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((done, fail) =>
    child.on('close', (code) => {
      if (code !== 0) fail(new Error(`writer ${tag} exited ${code}: ${err}`));
      else done(JSON.parse(out) as string[]);
    }),
  );
}
