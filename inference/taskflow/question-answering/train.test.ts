import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../../../framework/backend/tf.js';
import { ConfigError } from '../../../framework/errors.js';
import { saveTinyModel, TINY_RANDOM_CONFIG } from '../../../framework/testing/tiny-bert.js';
import { readQaTraining } from './corpus.js';
import { QuestionAnswerer } from './reader.js';
import { readSquad } from './squad.js';
import { trainQuestionAnswering } from './train.js';
import { QUESTION_ANSWERING_SETTINGS, resolveQaTrainOptions } from './train-options.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fewprompt-qa-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("options: the table's defaults fill what is not given; a value outside a setting's choices is refused", () => {
  const o = resolveQaTrainOptions({ epochs: 1, bundle: 'B' });
  for (const [key, setting] of Object.entries(QUESTION_ANSWERING_SETTINGS))
    if (key !== 'epochs' && key !== 'bundle')
      assert.deepEqual((o as Record<string, unknown>)[key], 'default' in setting ? setting.default : undefined, key);
  assert.deepEqual([o.epochs, o.bundle, o.precision, 'maxMinutes' in o], [1, 'B', 'int8', false]);
  assert.throws(
    () => resolveQaTrainOptions({ precision: 'int4' as 'int8' }),
    (e: Error) => e instanceof ConfigError && e.message === "precision must be one of fp32, fp16, int8; got 'int4'",
  );
});

test('training data: Traditional files converted, passages that overlap the evaluation set dropped', () => {
  const dev = readSquad(fixture('dev-mini.json'));
  const set = readQaTraining([fixture('train-mini.json')], [fixture('mini-squad.json')], dev);
  assert.deepEqual([set.read, set.contaminated, set.examples.length], [9, 2, 7]);
  assert.ok(!set.examples.some((x) => x.context.includes('大熊猫')), 'the passage dev repeats is not trained on');
  assert.ok(
    set.examples.some((x) => x.context.startsWith('陆特和汉斯雷顿')),
    'DRCD-style text is Simplified',
  );
});

test('recipe: stops at a time limit, resumes, scores dev with tfjs and ONNX, writes a bundle; exportOnly', async () => {
  const model = await saveTinyModel({ dir: join(root, 'tiny'), config: { ...TINY_RANDOM_CONFIG } });
  const out = join(root, 'run');
  const common = {
    train: [fixture('train-mini.json')],
    trainTraditional: [fixture('mini-squad.json')],
    dev: fixture('dev-mini.json'),
    model,
    out,
    maxSeqLen: 48,
    docStride: 16,
    maxQuestionTokens: 16,
    batchSize: 4,
    maxSteps: 4,
    tfjsDev: 2,
    checkpointEvery: 1,
    precision: 'fp32',
  } as const;
  const tensors = tf.memory().numTensors;
  const lines: string[] = [];
  // A zero-minute budget stops after the first step with a checkpoint …
  const stopped = await trainQuestionAnswering({ ...common, maxMinutes: 0 }, { log: (m) => lines.push(m) });
  assert.ok(
    lines.some((l) => /trained 1 steps \(stopped: time limit or SIGINT; --resume continues\)$/.test(l)),
    lines.join('\n'),
  );
  assert.ok(lines.some((l) => /9 questions read, 2 dropped .* 7 used, 0 unfit; \d+ windows/.test(l)));
  assert.equal(stopped.devTfjs?.total, 2);
  // … that --resume continues to the planned steps.
  const result = await trainQuestionAnswering(
    { ...common, resume: true, bundle: join(out, 'bundle') },
    { log: (m) => lines.push(m) },
  );
  assert.equal(tf.memory().numTensors, tensors, 'the recipe disposes its model and reader');
  assert.ok(lines.some((l) => /trained 4 steps$/.test(l)));
  const meta = JSON.parse(readFileSync(join(out, 'reader-run.json'), 'utf8')) as {
    windows: { maxSeqLen: number };
    train: { steps: number; used: number; lossCurve: number[][] };
  };
  assert.deepEqual([meta.windows.maxSeqLen, meta.train.steps, meta.train.used], [48, 4, 7]);
  assert.equal(result.devOnnx?.total, 3);
  assert.equal(result.devOnnxAnswerAll?.empty, 0, 'threshold 0 answers every question');
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')), {
    devTfjs: result.devTfjs,
    devOnnx: result.devOnnx,
    devOnnxAnswerAll: result.devOnnxAnswerAll,
  });
  const qa = await QuestionAnswerer.load(join(out, 'bundle'));
  assert.deepEqual(qa.manifest.windows, { maxSeqLen: 48, docStride: 16, maxQuestionTokens: 16, tokenTypes: 'match' });
  const [answer] = await qa.answer([{ question: '长江在哪里注入东海？', context: '长江最后在上海注入东海。' }]);
  assert.equal(answer!.answer, '长江最后在上海注入东海。'.slice(answer!.start, answer!.end));
  await qa.release();

  // The same run exported again (no training): the same weights give the same bundle scores.
  const again = await trainQuestionAnswering(
    { ...common, bundle: join(out, 'again'), exportOnly: true, model: '/not/needed' },
    { log() {} },
  );
  assert.deepEqual(again, { ...result, bundle: join(out, 'again') });
  assert.ok(existsSync(join(out, 'again', 'qa.json')));
});

test('training windows: every window holding the answer, a seeded share of the others', async () => {
  const { QaFeaturizer } = await import('./features.js');
  const { trainWindows } = await import('./corpus.js');
  const { tinyTokenizer } = await import('../../../framework/testing/tiny-bert.js');
  const featurizer = new QaFeaturizer(tinyTokenizer(), { maxSeqLen: 24, docStride: 4, maxQuestionTokens: 8 });
  const examples = readSquad(fixture('train-mini.json'));
  const all = trainWindows(featurizer, examples, { maxAnswerTokens: 16 });
  const some = trainWindows(featurizer, examples, { maxAnswerTokens: 16, negativeRate: 0.3, seed: 1 });
  const positives = (w: typeof all) => w.windows.filter((x) => x.start > 0).length;
  assert.equal(positives(some), positives(all));
  assert.ok(some.windows.length < all.windows.length && some.windows.length > positives(all));
  assert.deepEqual(trainWindows(featurizer, examples, { maxAnswerTokens: 16, negativeRate: 0.3, seed: 1 }), some);
  // A 4-token cap keeps 上海, 紫禁城 and 竹子, and drops the four longer answers (六千三百公里, …).
  assert.equal(trainWindows(featurizer, examples, { maxAnswerTokens: 4 }).unfit, 4);
});
