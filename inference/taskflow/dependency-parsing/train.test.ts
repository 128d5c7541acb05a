import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../framework/backend/select.js';
import { tf } from '../../../framework/backend/tf.js';
import { ConfigError } from '../../../framework/errors.js';
import { hasDefaultModel } from '../../../framework/model/default.js';
import { DependencyParser } from './parser.js';
import { trainDependencyParser } from './train.js';
import { DEPENDENCY_PARSER_SETTINGS, resolveTrainOptions } from './train-options.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/gsdsimp-dev-head.conllu', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fewprompt-dep-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("options: the table's defaults fill what is not given; a value outside a setting's choices is refused", () => {
  const o = resolveTrainOptions({ epochs: 4, bundle: 'B' });
  assert.equal(o.epochs, 4);
  assert.equal(o.bundle, 'B');
  for (const [key, setting] of Object.entries(DEPENDENCY_PARSER_SETTINGS))
    if (key !== 'epochs' && key !== 'bundle')
      assert.deepEqual((o as Record<string, unknown>)[key], 'default' in setting ? setting.default : undefined, key);
  assert.equal('maxSteps' in o, false);
  assert.throws(
    () => resolveTrainOptions({ precision: 'fp8' as 'fp16' }),
    (e: Error) => e instanceof ConfigError && e.message === "precision must be one of fp32, fp16, int8; got 'fp8'",
  );
});

test('recipe on the fixture: trains, records the run, writes a bundle that loads; exportOnly again', async (ctx) => {
  if (!hasDefaultModel()) ctx.skip('needs the shipped default model (models/fewprompt-zh-mini)');
  await initBackend();
  const tensorsBefore = tf.memory().numTensors;
  const out = join(root, 'run');
  const lines: string[] = [];
  const common = {
    train: FIXTURE,
    dev: FIXTURE,
    out,
    devLimit: 4,
    vocabSize: 1500,
    vocabCorpus: [],
    epochs: 1,
    maxSteps: 2,
    batchTokens: 512,
    tagSize: 8,
    precision: 'fp32',
  } as const;
  const result = await trainDependencyParser({ ...common, bundle: join(out, 'bundle') }, { log: (m) => lines.push(m) });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the recipe disposes its model and parser');
  assert.ok(
    lines.some((l) => /^\[\d+s\] trained 2 steps$/.test(l)),
    lines.join('\n'),
  );

  const meta = JSON.parse(readFileSync(join(out, 'parser-run.json'), 'utf8')) as {
    head: { tagSize: number; maxDistance: number; labels: string[] };
    vocab: string[];
    train: { sentences: number; used: number; steps: number; vocabSize: number };
  };
  assert.deepEqual([meta.train.sentences, meta.train.used, meta.train.steps], [12, 12, 2]);
  assert.deepEqual([meta.head.tagSize, meta.head.maxDistance], [8, 10]);
  assert.ok(meta.vocab.length <= 1500 && meta.vocab.length === meta.train.vocabSize);
  assert.ok(existsSync(join(out, 'parser.safetensors')));
  assert.equal(result.devTfjs?.sentences, 4);
  assert.equal(result.devOnnx?.sentences, 4);
  const manifest = JSON.parse(readFileSync(join(out, 'bundle', 'parser.json'), 'utf8')) as {
    source: { dev: { onnx: unknown } };
  };
  assert.deepEqual(manifest.source.dev.onnx, result.devOnnx);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')), {
    devTfjs: result.devTfjs,
    devOnnx: result.devOnnx,
  });

  const parser = await DependencyParser.load(join(out, 'bundle'));
  const [parse] = await parser.parse([['百度', '是', '一家', '高科技', '公司']]);
  assert.equal(parse!.heads.length, 5);
  assert.ok(parse!.deprels.every((r) => meta.head.labels.includes(r)));
  await parser.release();

  // The same run exported again (no training): the same weights give the same bundle scores.
  const again = await trainDependencyParser({ ...common, bundle: join(out, 'again'), exportOnly: true }, { log() {} });
  assert.deepEqual(again, { out, devTfjs: result.devTfjs, bundle: join(out, 'again'), devOnnx: result.devOnnx });
});
