import { afterAll, afterEach, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../../framework/backend/tf.js';
import { saveTinyModel, TINY_RANDOM_CONFIG } from '../../framework/testing/tiny-bert.js';
import { Taskflow } from '../../inference/taskflow/index.js';
import { main } from '../cli/main.js';

const fixtures = fileURLToPath(new URL('../../inference/taskflow/sentiment-analysis/fixtures/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fewprompt-sentiment-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

test('taskflow-train sentiment_analysis: PET on a tiny model stops at a time limit, resumes, ships', async () => {
  const model = await saveTinyModel({ dir: join(root, 'tiny'), config: { ...TINY_RANDOM_CONFIG } });
  const out = join(root, 'run');
  const ship = join(root, 'shipped');
  const flags = [
    ...[
      '--data',
      fixtures,
      '--extra',
      join(fixtures, 'shopping-mini.csv'),
      '--extra',
      join(fixtures, 'waimai-mini.csv'),
    ],
    ...['--model', model, '--out', out, '--max-steps', '3', '--batch-size', '4', '--max-seq-len', '48'],
    ...['--dev-per-class', '1', '--selection-size', '6', '--eval-every', '2', '--checkpoint-every', '1'],
    ...['--precision', 'fp32', '--word-embeddings', 'float', '--max-recall-gap', '100', '--seed', '3'],
  ];
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  const tensors = tf.memory().numTensors;
  // A zero-minute budget stops after the first step with a checkpoint …
  assert.equal(await main(['taskflow-train', 'sentiment_analysis', ...flags, '--max-minutes', '0']), 0);
  const stopped = JSON.parse(readFileSync(join(out, 'train.json'), 'utf8')) as { steps: number; stoppedEarly: boolean };
  assert.deepEqual([stopped.steps, stopped.stoppedEarly], [1, true]);
  // … that --resume continues to the planned steps; --ship puts the bundle where Taskflow loads it.
  assert.equal(await main(['taskflow-train', 'sentiment_analysis', ...flags, '--resume', '--ship', ship]), 0);
  assert.equal(tf.memory().numTensors, tensors, 'the recipe disposes its model and method');
  const train = JSON.parse(readFileSync(join(out, 'train.json'), 'utf8')) as { steps: number; stoppedEarly: boolean };
  assert.deepEqual([train.steps, train.stoppedEarly], [3, false]);
  assert.match(
    lines.at(-1)!,
    new RegExp(
      '^sentiment_analysis → .*run \\(bundle .*bundle, bias -?[\\d.]+\\): ChnSentiCorp test accuracy [\\d.]+, ' +
        'recall negative [\\d.]+ / positive [\\d.]+; shipped: ',
    ),
  );
  const spec = JSON.parse(readFileSync(join(out, 'run', 'method.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(spec['kind'], 'pet');
  assert.equal(spec['template'], "{'text': 'text_a'}这句话表示我{'mask'}满意。");
  assert.deepEqual(spec['labels'], ['0', '1']);
  assert.ok(existsSync(join(ship, 'sentiment.json')));
  const results = await Taskflow('sentiment_analysis', { taskPath: ship })(['很好用', '太差了']);
  assert.equal(results.length, 2);
  assert.ok(results.every((r) => (r.label === 'positive' || r.label === 'negative') && r.score >= 0.5));
});
