import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, test } from 'vitest';
import { COMMANDS } from '../experiments/cli/index.js';
import { exportTinyRun, writeTinyRun } from '../inference/testing/tiny-run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fewprompt-package-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const CONSUMER = `
import { loadClassifier, Taskflow, parseExperimentConfig, type ExperimentConfig } from 'fewprompt';
import { loadClassifier as loadFromRuntime } from 'fewprompt/runtime';

const t0 = performance.now();
const config: ExperimentConfig = parseExperimentConfig({ task: 'eprstmt', method: 'pet' });
const seg = await Taskflow('word_segmentation');
const words = await seg('三亚是一个美丽的城市');
const clf = await loadClassifier('bundle');
const [first] = await clf.predict(['物流很快，很满意']);
await clf.release();
console.log(JSON.stringify({ method: config.method, words, label: first?.label, runtime: typeof loadFromRuntime }));
`;

// The npm package as a user gets it: built (prepack), packed, installed into an empty project, used from plain Node
// and typechecked by tsc with `tsc --init`'s defaults.
test('packed, installed into a fresh project: imports in plain Node, runs Taskflow and a predict', async () => {
  const pack = run('npm', ['pack', '--pack-destination', root, '--json'], ROOT);
  assert.equal(pack.status, 0, pack.out.slice(-2000));
  const tarball = readdirSync(root).find((f) => f.endsWith('.tgz'))!;
  const size = statSync(join(root, tarball)).size;
  const weights = gzipSync(readFileSync(join(ROOT, 'models/fewprompt-zh-mini/model.safetensors'))).length;
  assert.ok(size - weights <= 10e6, `tarball ${size} bytes, of which the default model's weights ${weights}`);
  const listing = run('tar', ['tzf', join(root, tarball)], root).out.split('\n');
  const unwanted = listing.filter((f) => /\.test\.|\/testing\/|^package\/(bench|scripts|src)\/|fixtures|\.ts$/.test(f));
  assert.deepEqual(
    unwanted.filter((f) => !f.endsWith('.d.ts')),
    [],
  );
  // The Taskflow models other than LAC's stay in the git repository (README: Taskflow models).
  assert.deepEqual(
    listing.filter((f) => /^package\/models\/(taskflow|poetry-gpt-zh)\//.test(f)),
    [],
  );

  const bundleRun = join(root, 'run');
  (await writeTinyRun(bundleRun, 'pet')).model.dispose();
  const project = join(root, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  await exportTinyRun(bundleRun, join(project, 'bundle'));
  // onnxruntime-node's postinstall downloads CUDA libraries from nuget.org on linux/x64; the README says to skip it.
  const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(root, tarball)], project, {
    ONNXRUNTIME_NODE_INSTALL: 'skip',
  });
  assert.equal(install.status, 0, install.out.slice(-2000));

  writeFileSync(join(project, 'consumer.ts'), CONSUMER);
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  assert.equal(run(process.execPath, [tsc, '--init'], project).status, 0);
  const typecheck = run(process.execPath, [tsc, '--noEmit', '-p', '.'], project);
  assert.equal(typecheck.status, 0, typecheck.out);

  const js = CONSUMER.replace(/, type ExperimentConfig/, '').replace(/: ExperimentConfig/, '');
  writeFileSync(join(project, 'consumer.mjs'), js);
  const started = Date.now();
  const used = run(process.execPath, ['consumer.mjs', 'bundle'], project);
  assert.equal(used.status, 0, used.out.slice(-2000));
  const result = JSON.parse(
    used.out
      .trim()
      .split('\n')
      .find((l) => l.startsWith('{'))!,
  ) as Record<string, unknown>;
  assert.equal(result['method'], 'pet');
  assert.deepEqual(result['words'], ['三亚', '是', '一个', '美丽', '的', '城市']);
  assert.ok(['Negative', 'Positive'].includes(String(result['label'])));
  assert.equal(result['runtime'], 'function');

  // Every --help answers from the installed package (bench/package/run.ts times them), and a Taskflow task whose
  // model the package leaves out fails with one line saying where to get it.
  const bin = join(project, 'node_modules/fewprompt/bin/fewprompt.mjs');
  for (const command of ['', ...COMMANDS.map((c) => c.name)]) {
    const help = run(process.execPath, [bin, ...(command ? [command] : []), '--help'], project);
    assert.equal(help.status, 0, `${command} --help: ${help.out.slice(-1000)}`);
  }
  const missing = spawnSync(process.execPath, [bin, 'taskflow', 'sentiment_analysis', '很好'], {
    cwd: project,
    encoding: 'utf8',
  });
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /^fewprompt taskflow: sentiment_analysis: model not installed [^\n]*\n$/);
  assert.match(missing.stderr, /copy models\/taskflow\/sentiment-analysis\/ there from the fewprompt git repository/);
  console.log(
    `package: ${(size / 1e6).toFixed(1)} MB (default model weights ${(weights / 1e6).toFixed(1)} MB), ` +
      `consumer script ${Date.now() - started} ms`,
  );
});
