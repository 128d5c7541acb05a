import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../../framework/backend/tf.js';
import { BundleError } from '../../../framework/errors.js';
import { bestAnswer } from './decode.js';
import { QuestionAnswerer } from './reader.js';
import { TINY_DECODE, tinyReader, writeTinyReaderBundle } from './tiny-reader.fixture.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-qa-graph-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const INPUTS = [
  {
    question: '《战国无双3》是由哪两个公司合作开发的？',
    context: '《战国无双3》是由光荣和ω-force开发的战国无双系列的正统第三续作。',
  },
  { question: '谁开创了欧洲对梵语的研究？', context: '陆特和汉斯雷顿开创了欧洲对梵语的学术研究。'.repeat(4) },
  { question: '首都？', context: '北京是中国的首都，也是一座历史悠久的城市。' },
  { question: '什么？', context: '' },
];

/** The random tiny reader and its tfjs logits and answers per input. */
async function tfjsReference() {
  const reader = await tinyReader();
  const expected = INPUTS.map((x) => {
    const windows = reader.featurizer.windows(x.question, x.context);
    const batch = reader.makeBatch(windows.map((window) => ({ window, start: 0, end: 0 })));
    const { start, end } = reader.spanLogits(batch);
    reader.disposeBatch(batch);
    const w = batch.width;
    const rows = windows.map((win, b) => ({
      start: start.subarray(b * w, b * w + win.ids.length),
      end: end.subarray(b * w, b * w + win.ids.length),
    }));
    return { windows, rows, answer: bestAnswer(x.context, windows, rows, TINY_DECODE) };
  });
  return { reader, expected };
}

/** Largest |ONNX − tfjs| over every real token's start and end logits. */
async function worstDiff(qa: QuestionAnswerer, expected: Awaited<ReturnType<typeof tfjsReference>>['expected']) {
  let worst = 0;
  for (const e of expected) {
    const batch = qa.featurizer.batch(e.windows);
    const { start, end } = await qa.logits(batch);
    e.rows.forEach((row, b) => {
      for (let t = 0; t < row.start.length; t++) {
        worst = Math.max(worst, Math.abs(start[b * batch.width + t]! - row.start[t]!));
        worst = Math.max(worst, Math.abs(end[b * batch.width + t]! - row.end[t]!));
      }
    });
  }
  return worst;
}

test('ONNX parity: FP32 logits equal tfjs within 1e-4 and give the same answers; INT8 stays close', async () => {
  const { reader, expected } = await tfjsReference();
  for (const [precision, fusion, tolerance] of [
    ['fp32', 'contrib', 1e-4],
    ['fp32', 'none', 1e-4],
    ['int8', 'contrib', 0.1],
  ] as const) {
    const dir = join(root, `${precision}-${fusion}`);
    await writeTinyReaderBundle(dir, { precision, fusion });
    const qa = await QuestionAnswerer.load(dir);
    const worst = await worstDiff(qa, expected);
    assert.ok(worst < tolerance, `${precision}/${fusion}: max |ort − tfjs| = ${worst}`);
    const answers = await qa.answer(INPUTS, { batchSize: 3 });
    // INT8 (weights ±63 per column, embeddings ±127 per row) moves logits by ~0.02 here: the same spans.
    answers.forEach((a, i) => {
      assert.deepEqual(
        [a.answer, a.start, a.end],
        [expected[i]!.answer.answer, expected[i]!.answer.start, expected[i]!.answer.end],
      );
      if (precision === 'fp32') assert.ok(Math.abs(a.score - expected[i]!.answer.score) < 1e-4);
    });
    await qa.release();
  }
  reader.model.dispose();
  reader.dispose();
});

test('answers: one per input, spans of their passages, whatever the batch size; thresholds empty them', async () => {
  const qa = await QuestionAnswerer.load(join(root, 'fp32-contrib'));
  const one = await qa.answer(INPUTS, { batchSize: 1 });
  const all = await qa.answer(INPUTS, { batchSize: 32 });
  assert.equal(one.length, INPUTS.length);
  one.forEach((a, i) => {
    assert.equal(a.answer, INPUTS[i]!.context.slice(a.start, a.end));
    assert.ok(a.score >= 0 && a.score <= 1);
    assert.deepEqual([a.answer, a.start, a.end], [all[i]!.answer, all[i]!.start, all[i]!.end]);
    assert.ok(Math.abs(a.score - all[i]!.score) < 1e-5);
  });
  assert.ok(one[1]!.answer.length > 0 && qa.featurizer.windows(INPUTS[1]!.question, INPUTS[1]!.context).length > 2);
  assert.deepEqual(one[3], { answer: '', start: 0, end: 0, score: 0 }, 'an empty passage has no answer');
  const strict = await qa.answer(INPUTS.slice(0, 3), { threshold: 1 });
  strict.forEach((a, i) => assert.deepEqual(a, { answer: '', start: 0, end: 0, score: one[i]!.score }));
  await assert.rejects(
    qa.answer([{ question: '', context: '甲' }]),
    /inputs\[0\]\.question must be a non-empty string, got an empty string/,
  );
  await assert.rejects(qa.answer([{ question: '谁', context: 3 } as never]), /inputs\[0\]\.context must be a string/);
  await qa.release();
});

test('a bundle write keeps the model card beside it; bad manifests are one-line BundleErrors', async () => {
  const dir = join(root, 'fp32-contrib');
  writeFileSync(join(dir, 'MODEL_CARD.md'), '# card\n');
  const tensors = tf.memory().numTensors;
  await writeTinyReaderBundle(dir);
  assert.equal(tf.memory().numTensors, tensors, 'the reader and its export leak no tensors');
  assert.equal(readFileSync(join(dir, 'MODEL_CARD.md'), 'utf8'), '# card\n');
  assert.ok(existsSync(join(dir, 'qa.json')) && existsSync(join(dir, 'tokenizer', 'vocab.txt')));
  const manifest = JSON.parse(readFileSync(join(dir, 'qa.json'), 'utf8')) as Record<string, unknown>;
  const broken = join(root, 'broken');
  await writeTinyReaderBundle(broken);
  writeFileSync(join(broken, 'qa.json'), JSON.stringify({ ...manifest, decode: { maxAnswerTokens: 0, threshold: 0 } }));
  await assert.rejects(
    QuestionAnswerer.load(broken),
    (e: Error) =>
      e instanceof BundleError && /decode\.maxAnswerTokens must be a positive integer, got 0/.test(e.message),
  );
  await assert.rejects(QuestionAnswerer.load(join(root, 'nothing')), /not a question-answering bundle \(no qa\.json\)/);
});
