import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, test } from 'vitest';
import { CheckpointError, ConfigError } from '../../../framework/errors.js';
import { useBackend } from '../../../framework/testing/backends.js';
import { PoetryGenerationTask } from './task.js';
import { trainPoetryGpt } from './train.js';
import { POETRY_SETTINGS, resolvePoetryTrainOptions } from './train-options.js';

const corpus = fileURLToPath(new URL('./fixtures', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fewprompt-poetry-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("options: the table's defaults fill what is not given; a value outside a setting's choices is refused", () => {
  const o = resolvePoetryTrainOptions({ steps: 5, ship: 'S' });
  for (const [key, setting] of Object.entries(POETRY_SETTINGS))
    if (key !== 'steps' && key !== 'ship')
      assert.deepEqual((o as Record<string, unknown>)[key], 'default' in setting ? setting.default : undefined, key);
  assert.deepEqual([o.steps, o.ship, o.normalization], [5, 'S', 'pre']);
  assert.throws(() => resolvePoetryTrainOptions({ normalization: 'mid' as 'pre' }), ConfigError);
});

test('recipe: prepares the data, trains, resumes, finalizes, ships a model the task loads', async () => {
  await useBackend('cpu');
  const out = join(root, 'run');
  const common = {
    corpus,
    data: join(root, 'data'),
    out,
    minCount: 1,
    layers: 1,
    hidden: 32,
    batch: 2,
    steps: 4,
    evalEvery: 2,
    devSize: 4,
  } as const;
  await assert.rejects(trainPoetryGpt({ ...common, finalize: true }, { log: () => {} }), CheckpointError);
  const stopped = await trainPoetryGpt({ ...common, maxMinutes: 0 }, { log: () => {} });
  assert.ok(existsSync(join(root, 'data', 'train.txt')), 'the data was prepared from the corpus');
  assert.deepEqual([stopped.report.steps, stopped.report.interrupted], [1, true], 'the time limit stops it');
  const first = await trainPoetryGpt({ ...common, resume: true }, { log: () => {} });
  assert.equal(first.report.steps, 4);
  assert.deepEqual(
    first.report.curve.map((c) => c.step),
    [1, 2, 4],
  );
  assert.ok(first.report.trainSeconds >= stopped.report.trainSeconds, 'seconds add up across resumes');
  assert.ok(first.report.heldoutPerplexity > 1 && first.report.heldoutTokens > 0);
  const again = await trainPoetryGpt({ ...common, finalize: true, ship: join(root, 'ship') }, { log: () => {} });
  assert.equal(again.report.heldoutLoss, first.report.heldoutLoss, 'finalize writes out the same weights');
  assert.ok(existsSync(join(root, 'ship', 'loss-curve.svg')));
  const evaluation = JSON.parse(readFileSync(join(root, 'ship', 'evaluation.json'), 'utf8'));
  assert.deepEqual(Object.keys(evaluation.modes).sort(), ['beam_search', 'greedy', 'sampling']);
  assert.equal(evaluation.modes.greedy.examples.length, 10);
  const task = await PoetryGenerationTask.fromConfig(PoetryGenerationTask.configure({ taskPath: join(root, 'ship') }));
  const [result] = await task.run(['白日依山尽']);
  assert.equal(result!.text, '白日依山尽');
});
