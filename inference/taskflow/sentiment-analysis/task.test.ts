import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError } from '../../../framework/errors.js';
import { exportTinyRun, writeTinyRun } from '../../testing/tiny-run.js';
import { DECISION_FILE, writeDecision } from './decision.js';
import { NGRAM_FILE, NgramSentimentModel } from './ngram.js';
import { SHIPPED_SENTIMENT_MODEL } from './task.js';
import { Taskflow, type TaskOutput } from '../index.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-sentiment-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

test('result type: {text, label: positive | negative, score}', () => {
  const ok: Equal<
    TaskOutput<'sentiment_analysis'>,
    { readonly text: string; readonly label: 'positive' | 'negative'; readonly score: number }
  > = true;
  assert.ok(ok);
});

test('any polarity bundle through taskPath: Taskflow shape, one result per text', async () => {
  const run = join(root, 'run');
  const { model } = await writeTinyRun(run, 'finetune');
  model.dispose();
  await exportTinyRun(run, join(root, 'bundle'), { precision: 'int8' });
  const flow = Taskflow('sentiment_analysis', { taskPath: join(root, 'bundle') });
  const results = await flow(['很好用', '太差了', '']);
  assert.equal(results.length, 3);
  for (const [i, r] of results.entries()) {
    assert.equal(r.text, ['很好用', '太差了', ''][i]);
    assert.ok(r.label === 'positive' || r.label === 'negative');
    assert.ok(r.score >= 0.5 && r.score <= 1);
  }
  // One text alone: same label; the score moves a little (INT8 quantises activations per batch).
  const alone = await flow('很好用');
  assert.equal(alone.label, results[0]!.label);
  assert.ok(Math.abs(alone.score - results[0]!.score) < 0.01);
});

test("the bundle's decision bias (sentiment.json) moves label and score; a bad file is a BundleError", async () => {
  const bundle = join(root, 'bundle');
  const texts = ['很好用', '太差了', '还行吧，一般般'];
  const plain = await Taskflow('sentiment_analysis', { taskPath: bundle })(texts);
  const at = async (positiveBias: number) => {
    writeDecision(bundle, { positiveBias });
    return Taskflow('sentiment_analysis', { taskPath: bundle })(texts);
  };
  try {
    const zero = await at(0);
    assert.deepEqual(
      zero.map((r) => [r.label, r.score.toFixed(6)]),
      plain.map((r) => [r.label, r.score.toFixed(6)]),
      'bias 0 is the plain argmax',
    );
    assert.deepEqual(
      (await at(50)).map((r) => r.label),
      ['positive', 'positive', 'positive'],
    );
    const negative = await at(-50);
    assert.deepEqual(
      negative.map((r) => r.label),
      ['negative', 'negative', 'negative'],
    );
    assert.ok(negative.every((r) => r.score >= 0.5 && r.score <= 1));
    // A bias between two margins splits them: the score is the shifted softmax.
    const margin = Math.log(plain[0]!.score / (1 - plain[0]!.score)) * (plain[0]!.label === 'positive' ? 1 : -1);
    const [first] = await at(0.5 - margin);
    assert.equal(first!.label, 'positive');
    assert.ok(Math.abs(first!.score - 1 / (1 + Math.exp(-0.5))) < 1e-3, `score ${first!.score}`);
    // Version 2: the n-gram model's margin, mixed in at its weight, moves the label where the encoder is unsure.
    const ngram = NgramSentimentModel.train(
      [
        { text: '很好用', label: 0, source: 'test' },
        { text: '太差了', label: 1, source: 'test' },
      ],
      { minCount: 1, c: 10 },
    );
    ngram.save(join(bundle, NGRAM_FILE));
    writeDecision(bundle, { positiveBias: 0, ngramWeight: 1 });
    const flipped = await Taskflow('sentiment_analysis', { taskPath: bundle })(texts.slice(0, 2));
    assert.deepEqual(
      flipped.map((r) => r.label),
      ['negative', 'positive'],
      'weight 1: the (inverted) n-gram model decides',
    );
    writeDecision(bundle, { positiveBias: 0, ngramWeight: 0 });
    assert.deepEqual(
      (await Taskflow('sentiment_analysis', { taskPath: bundle })(texts)).map((r) => r.score.toFixed(6)),
      plain.map((r) => r.score.toFixed(6)),
      'weight 0: the encoder alone',
    );
    rmSync(join(bundle, NGRAM_FILE));
    await assert.rejects(
      Taskflow('sentiment_analysis', { taskPath: bundle })('好'),
      (e: Error) => e instanceof BundleError && /ngramWeight 0 but .*ngram\.tsv is missing/.test(e.message),
    );
    writeFileSync(join(bundle, DECISION_FILE), '{"format":"fewprompt-sentiment-decision","formatVersion":1}');
    await assert.rejects(
      Taskflow('sentiment_analysis', { taskPath: bundle })('好'),
      (e: Error) => e instanceof BundleError && /sentiment\.json: positiveBias must be a finite number/.test(e.message),
    );
  } finally {
    for (const file of [DECISION_FILE, NGRAM_FILE]) rmSync(join(bundle, file), { force: true });
  }
});

test('a missing bundle is a BundleError naming the path', async () => {
  await assert.rejects(
    Taskflow('sentiment_analysis', { taskPath: join(root, 'nowhere') })('好'),
    (e: Error) => e instanceof BundleError && /no model bundle at .*nowhere/.test(e.message),
  );
  assert.throws(
    () => Taskflow('sentiment_analysis', { mode: 'large' }),
    /unknown mode for task 'sentiment_analysis' 'large'; valid: base/,
  );
});

test('shipped model: what it answers', async (ctx) => {
  if (!existsSync(join(SHIPPED_SENTIMENT_MODEL, 'bundle.json')))
    ctx.skip('models/taskflow/sentiment-analysis is not installed');
  const results = await Taskflow('sentiment_analysis')([
    '这个产品用起来真的很流畅，我非常喜欢',
    '房间太小，服务态度很差，不会再来了',
    '物流很快，质量很好',
  ]);
  assert.deepEqual(
    results.map((r) => r.label),
    ['positive', 'negative', 'positive'],
  );
  // The model card's answers (0.992, 0.994, 0.991); a little slack because INT8 quantises activations per batch.
  for (const [i, expected] of [0.992, 0.994, 0.991].entries())
    assert.ok(
      Math.abs(results[i]!.score - expected) < 0.02,
      `score ${results[i]!.score} for text ${i}, expected ≈ ${expected}`,
    );
});
