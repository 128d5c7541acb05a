import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../../framework/errors.js';
import { exportTinyRun, writeTinyRun } from '../../testing/tiny-run.js';
import { readDecisionBias } from './decision.js';
import { classScores } from './evaluate.js';
import { NGRAM_FILE } from './ngram.js';
import { readReviews } from './reviews.js';
import { scoreBundle, scoresAt, shipVerdict } from './score.js';
import { trainSentiment, type SentimentMethod, type SentimentTrainJob } from './train.js';
import { resolveSentimentTrainOptions, SENTIMENT_SETTINGS } from './train-options.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fewprompt-sentiment-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for experiments/'s PET: a random tiny run per seed, exported with the tiny heads. */
function fakeMethod(jobs: SentimentTrainJob[], seed = 1): SentimentMethod {
  return {
    async train(job) {
      jobs.push(job);
      const { model } = await writeTinyRun(job.run, 'pet', seed);
      model.dispose();
      return { steps: 2, bestStep: 2, bestDev: 0.5, interrupted: false, history: [{ step: 1, loss: 0.7 }] };
    },
    async export(run, bundle, options) {
      await exportTinyRun(run, bundle, options);
    },
  };
}

const common = {
  data: fixture(''),
  extra: [fixture('shopping-mini.csv'), fixture('waimai-mini.csv')],
  devPerClass: 1,
  selectionSize: 6,
  precision: 'fp32',
  wordEmbeddings: 'float',
} as const;

test("options: the table's defaults fill what is not given; a value outside a setting's choices is refused", () => {
  const o = resolveSentimentTrainOptions({ lr: 1e-4 });
  for (const [key, setting] of Object.entries(SENTIMENT_SETTINGS))
    if (key !== 'lr')
      assert.deepEqual((o as Record<string, unknown>)[key], 'default' in setting ? setting.default : undefined, key);
  assert.deepEqual([o.lr, o.method, o.biasOn, 'ship' in o], [1e-4, 'pet', 'all', false]);
  assert.throws(
    () => resolveSentimentTrainOptions({ method: 'efl' as 'pet' }),
    (e: Error) => e instanceof ConfigError && e.message === "method must be one of pet, finetune; got 'efl'",
  );
});

test('recipe: the mix reaches the method, the bias is chosen on dev and written, sets scored, a report', async () => {
  const jobs: SentimentTrainJob[] = [];
  const out = join(root, 'run');
  const lines: string[] = [];
  const r = await trainSentiment({ ...common, out }, fakeMethod(jobs), { log: (m) => lines.push(m) });
  const [job] = jobs;
  assert.equal(job!.train.length, 16, 'ChnSentiCorp 4 + 4, shopping 2 + 2, waimai 2 + 2');
  assert.deepEqual(
    job!.selection.map((r) => r.label),
    [0, 1, 0, 1, 0, 1],
  );
  assert.equal(readFileSync(job!.files.train, 'utf8').split('\n')[0], 'label\ttext_a');
  assert.deepEqual(Object.keys(r.scores), [
    'ChnSentiCorp dev',
    'ChnSentiCorp test',
    'ChnSentiCorp test, not in its train',
    'held-out shopping-mini',
    'held-out waimai-mini',
  ]);
  assert.equal(r.scores['ChnSentiCorp test']!.total, 4);
  assert.equal(readDecisionBias(r.bundle), r.bias);
  // The bias balances the pooled dev recalls (4 ChnSentiCorp dev + 2 + 2 held-out reviews).
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
    scores: Record<string, { recall: number[] }>;
    counts: Record<string, { used: number[] }>;
  };
  assert.deepEqual(metrics.counts['waimai-mini']!.used, [2, 2]);
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(report, /^\| ChnSentiCorp test \| 4 \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/m);
  assert.match(report, /^\| shopping-mini \| 16 \| 1 \| 2 \| 2 \| 3 \| 1 \/ 1 \| 2 \| 2 \/ 2 \|$/m);
  assert.ok(lines.some((l) => /decision bias -?[\d.]+ \(equal recalls on ChnSentiCorp dev \+ held-out/.test(l)));
  const train = JSON.parse(readFileSync(join(out, 'train.json'), 'utf8')) as { steps: number };
  assert.equal(train.steps, 2);
  // exportOnly: no training, the same bundle and bias again.
  const again = await trainSentiment({ ...common, out, exportOnly: true }, fakeMethod(jobs));
  assert.equal(jobs.length, 1);
  assert.equal(again.bias, r.bias);
});

test('ship: replaces the bundle only when it beats the current one, keeping the model card', async () => {
  const ship = join(root, 'shipped');
  mkdirSync(ship, { recursive: true });
  writeFileSync(join(ship, 'MODEL_CARD.md'), '# card\n');
  const first = await trainSentiment({ ...common, out: join(root, 'a'), ship, maxRecallGap: 100 }, fakeMethod([]));
  assert.equal(first.verdict?.ship, true, String(first.verdict?.reason));
  assert.match(first.verdict!.reason, /\(no current bundle\)/);
  assert.ok(existsSync(join(ship, 'model.onnx')) && existsSync(join(ship, 'sentiment.json')));
  assert.equal(readFileSync(join(ship, 'MODEL_CARD.md'), 'utf8'), '# card\n');
  // The same model again does not beat itself.
  const second = await trainSentiment({ ...common, out: join(root, 'b'), ship, maxRecallGap: 100 }, fakeMethod([]));
  assert.equal(second.verdict?.ship, false);
  assert.match(second.verdict!.reason, /^test accuracy [\d.]+ ≤ [\d.]+ \(current\)$/);
  assert.deepEqual(second.current?.['ChnSentiCorp test'], first.scores['ChnSentiCorp test']);
});

test('bundleFrom: no training; the n-gram model and bias chosen again, scores as Taskflow decides', async () => {
  const jobs: SentimentTrainJob[] = [];
  const first = await trainSentiment({ ...common, out: join(root, 'from-a'), ngram: false }, fakeMethod(jobs));
  assert.equal(first.ngramWeight, undefined);
  assert.ok(!existsSync(join(first.bundle, NGRAM_FILE)));
  const lines: string[] = [];
  const log = { log: (m: string) => lines.push(m) };
  const again = await trainSentiment(
    { ...common, out: join(root, 'from-b'), bundleFrom: first.bundle },
    fakeMethod(jobs),
    log,
  );
  assert.equal(jobs.length, 1, 'bundleFrom trains nothing');
  assert.ok(lines.some((l) => /n-gram model: \d+ n-grams from 16 reviews .*dev accuracy by weight 0: /.test(l)));
  // The weight is the dev choice (unset when 0 wins); the file is there exactly when the weight is.
  assert.equal(existsSync(join(again.bundle, NGRAM_FILE)), again.ngramWeight !== undefined);
  // Rescoring the bundle as Taskflow reads it gives the recipe's own scores.
  const test = readReviews(fixture('chnsenticorp_test.tsv'));
  const rescored = scoresAt(await scoreBundle(again.bundle, { t: test }), readDecisionBias(again.bundle));
  assert.deepEqual(rescored['t'], again.scores['ChnSentiCorp test']);
  await assert.rejects(
    trainSentiment({ ...common, out: join(root, 'from-c'), bundleFrom: join(root, 'nowhere') }, fakeMethod(jobs)),
    (e: Error) => e instanceof ConfigError && /bundleFrom: .*nowhere\/bundle\.json does not exist/.test(e.message),
  );
});

test('the gate: better accuracy and recalls within the gap, both required', () => {
  const old = classScores([0, 0, 1, 1], [0, 0, 0, 1]); // 75%
  const better = classScores([0, 0, 1, 1], [0, 0, 1, 1]); // 100%, gap 0
  const leaning = classScores([0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1]); // 83%, recalls 100 / 50
  assert.deepEqual(shipVerdict(better, old, 5), {
    ship: true,
    reason: 'test accuracy 100.00 > 75.00 (current), recalls 0.00 points apart',
  });
  assert.deepEqual(shipVerdict(leaning, old, 5), {
    ship: false,
    reason: 'test recalls 50.00 points apart (> 5)',
  });
  assert.equal(
    shipVerdict(old, better, 5).reason,
    'test accuracy 75.00 ≤ 100.00 (current); test recalls 50.00 points apart (> 5)',
  );
});
