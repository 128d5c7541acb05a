import { test } from 'vitest';
import assert from 'node:assert/strict';
import { initBackend } from '../../../framework/backend/select.js';
import { tf } from '../../../framework/backend/tf.js';
import { BertModel } from '../../../framework/model/bert.js';
import { BERT_DEFAULTS, type BertConfig } from '../../../framework/model/config.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { Trainer } from '../../../framework/trainer/trainer.js';
import { bestAnswer } from './decode.js';
import { QaFeaturizer } from './features.js';
import { SpanExtractor, type QaTrainWindow } from './span-model.js';

const FILLER = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛'];
const KEYS = ['子', '丑'];
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...FILLER, ...KEYS];
const CONFIG: BertConfig = {
  ...BERT_DEFAULTS,
  vocabSize: VOCAB.length,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 64,
  maxPositionEmbeddings: 32,
  hiddenDropoutProb: 0,
  attentionProbsDropoutProb: 0,
};

/** A toy reading task: the question is 子 or 丑; the answer is that key in the passage and the character after it. */
function toy(count: number, seed: number): { question: string; context: string; start: number }[] {
  let s = seed;
  const rand = (n: number) => Math.floor(((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * n);
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 14 }, () => FILLER[rand(FILLER.length)]!);
    const [a, b] = [rand(6), 7 + rand(6)];
    const first = rand(2);
    chars[a] = KEYS[first]!;
    chars[b] = KEYS[1 - first]!;
    const question = KEYS[rand(2)]!;
    return { question, context: chars.join(''), start: question === KEYS[first] ? a : b };
  });
}

test('learns a toy reading task through the Trainer (held-out exact match ≥ 90%), windows included', async () => {
  await initBackend();
  const tokenizer = BertTokenizer.fromVocab(VOCAB);
  // 16-token windows: 11 passage tokens each, so the 14-character passages take two windows (stride 6).
  const featurizer = new QaFeaturizer(tokenizer, { maxSeqLen: 16, docStride: 6, maxQuestionTokens: 2 });
  const model = BertModel.create(CONFIG, { pooler: false, mlmHead: false }, 3);
  const reader = new SpanExtractor(model, featurizer, { lr: 3e-3, headLr: 1e-2, seed: 3 });
  const windows: QaTrainWindow[] = toy(200, 5).flatMap((x) =>
    featurizer.windows(x.question, x.context).map((window) => {
      const span = featurizer.answerTokens(window, x.start, x.start + 2);
      return { window, start: span?.[0] ?? 0, end: span?.[1] ?? 0 };
    }),
  );
  assert.ok(windows.some((w) => w.start === 0) && windows.some((w) => w.start > 0));
  const before = tf.memory().numTensors;
  await new Trainer(reader, { epochs: 40, batchSize: 16, seed: 1, progress: false }).fit(windows, []);
  assert.equal(tf.memory().numTensors, before, 'training leaks no tensors');

  const heldOut = toy(40, 99);
  let exact = 0;
  for (const x of heldOut) {
    const own = featurizer.windows(x.question, x.context);
    const batch = reader.makeBatch(own.map((window) => ({ window, start: 0, end: 0 })));
    const { start, end } = reader.spanLogits(batch);
    reader.disposeBatch(batch);
    const w = batch.width;
    const logits = own.map((_, b) => ({
      start: start.subarray(b * w, (b + 1) * w),
      end: end.subarray(b * w, (b + 1) * w),
    }));
    const got = bestAnswer(x.context, own, logits, { maxAnswerTokens: 4, threshold: 0 });
    if (got.start === x.start && got.end === x.start + 2) exact++;
  }
  assert.equal(tf.memory().numTensors, before, 'scoring leaks no tensors');
  assert.ok(exact / heldOut.length >= 0.9, `exact match ${exact}/${heldOut.length}`);

  // snapshot → restore gives the same weights in a fresh reader.
  const again = new SpanExtractor(BertModel.create(CONFIG, { pooler: false, mlmHead: false }, 9), featurizer, {
    lr: 1e-3,
    headLr: 1e-3,
    seed: 9,
  });
  again.restore(reader.snapshot());
  const snap = again.snapshot();
  for (const [name, t] of reader.snapshot()) assert.deepEqual(snap.get(name)?.data, t.data, name);
  for (const r of [reader, again]) {
    r.model.dispose();
    r.dispose();
  }
});
