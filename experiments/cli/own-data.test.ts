import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, test } from 'vitest';
import { saveTinyModel } from '../../framework/testing/tiny-bert.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA = join(ROOT, 'experiments/examples/data/reviews');
const root = mkdtempSync(join(tmpdir(), 'fewprompt-own-data-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** `fewprompt ARGS` as a user runs it (the bin, its restart with training flags, one-line errors). */
function fewprompt(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/fewprompt.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, FEWPROMPT_LOG: 'warn', MLFLOW_TRACKING_URI: join(root, 'mlruns') },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// The README's "Your own data" commands, on a tiny random model (the README's use the shipped one).
test("your own CSV: train → export → predict → serve, the README's commands", async () => {
  const model = await saveTinyModel();
  const out = join(root, 'runs/reviews');
  const train = fewprompt([
    'train',
    ...['--train', join(DATA, 'train.csv'), '--dev', join(DATA, 'dev.csv'), '--test', join(DATA, 'test.csv')],
    ...['--text-field', 'review', '--label-field', 'label', '--labels', 'neg=差,pos=好'],
    ...['--model', model, '--max-steps', '2', '--out', out, '--save-model', '--no-progress', '--json'],
  ]);
  assert.equal(train.status, 0, train.stderr.slice(-2000));
  const result = JSON.parse(train.stdout.trim().split('\n').pop()!) as { testExamples: number; testAccuracy: number };
  assert.equal(result.testExamples, 64);
  assert.ok(result.testAccuracy >= 0 && result.testAccuracy <= 1);
  const spec = JSON.parse(readFileSync(join(out, 'method.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(spec['labels'], ['neg', 'pos']);
  assert.deepEqual(spec['labelWords'], { neg: ['差'], pos: ['好'] });
  assert.deepEqual(spec['textFields'], ['text_a']);

  const bundle = join(root, 'bundles/reviews');
  const exported = fewprompt(['export', '--run', out, '--out', bundle, '--precision', 'int8']);
  assert.equal(exported.status, 0, exported.stderr.slice(-2000));
  assert.ok(existsSync(join(bundle, 'model.onnx')));

  const predicted = fewprompt(['predict', '--bundle', bundle, '--json', '房间很干净，服务也好', '太吵了，不会再来']);
  assert.equal(predicted.status, 0, predicted.stderr.slice(-2000));
  const lines = predicted.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { label: string; score: number });
  assert.equal(lines.length, 2);
  for (const p of lines) assert.ok(['neg', 'pos'].includes(p.label) && p.score > 0 && p.score <= 1);

  const server = spawn(
    process.execPath,
    [join(ROOT, 'bin/fewprompt.mjs'), 'serve', '--bundle', `reviews=${bundle}`, '--port', '0'],
    {
      cwd: root,
      env: { ...process.env, FEWPROMPT_LOG: 'info' },
    },
  );
  children.push(server);
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    server.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  const response = await fetch(`http://127.0.0.1:${port}/v1/models/reviews:predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ texts: ['房间很干净，服务也好'] }),
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { predictions: { label: string }[] };
  assert.ok(['neg', 'pos'].includes(body.predictions[0]!.label));
  server.kill('SIGTERM');
  rmSync(model, { recursive: true, force: true });
});

test('your own CSV through the suite: a grid of methods on that task, with its report', async () => {
  const model = await saveTinyModel();
  const out = join(root, 'suite');
  const suite = fewprompt([
    'fewclue',
    ...['--train', join(DATA, 'train.csv'), '--dev', join(DATA, 'dev.csv'), '--test', join(DATA, 'test.csv')],
    ...['--text-field', 'review', '--label-field', 'label', '--labels', 'neg=差,pos=好'],
    ...['--methods', 'pet,finetune', '--model', model, '--max-steps', '1', '--max-test-examples', '8'],
    ...['--out', out, '--no-track'],
  ]);
  assert.equal(suite.status, 0, suite.stderr.slice(-2000));
  for (const method of ['pet', 'finetune'])
    assert.ok(existsSync(join(out, 'results', 'reviews', method, '0.json')), `${method} result stored`);
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(report, /reviews/);
  assert.match(report, /finetune/);
  rmSync(model, { recursive: true, force: true });
});

test('bad own-data input: one line naming the flag, the file and line, or the label', () => {
  const missing = fewprompt(['train', '--train', join(DATA, 'train.csv'), '--text-field', 'review']);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /needs --train FILE --dev FILE --text-field NAME --label-field NAME/);
  assert.ok(missing.stderr.trim().split('\n').length <= 2, missing.stderr);

  const bad = join(root, 'bad.csv');
  writeFileSync(bad, 'review,label\n很好,pos\n很差,neutral\n');
  const unknown = fewprompt([
    'train',
    ...['--train', bad, '--dev', bad, '--text-field', 'review', '--label-field', 'label', '--labels', 'neg=差,pos=好'],
    ...['--max-steps', '1', '--no-track'],
  ]);
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.stderr, /bad\.csv:3.*neutral/);
  assert.ok(unknown.stderr.trim().split('\n').length <= 2, unknown.stderr);

  const words = fewprompt([
    'train',
    ...[
      '--train',
      bad,
      '--dev',
      bad,
      '--text-field',
      'review',
      '--label-field',
      'label',
      '--labels',
      'neg=差,pos=很好',
    ],
  ]);
  assert.match(words.stderr, /label words must all have one length/);
});
