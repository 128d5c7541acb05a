import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError } from '../../../framework/errors.js';
import { charNgrams, lbfgs, NgramSentimentModel } from './ngram.js';
import type { Review } from './reviews.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-ngram-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const review = (text: string, label: 0 | 1): Review => ({ text, label, source: 'test' });
const good = ['服务很好', '房间很干净', '很满意，下次再来', '质量很好，物流很快', '味道很好', '很喜欢这本书'];
const bad = ['服务太差了', '房间太脏', '不满意，不会再来', '质量差，物流太慢', '味道太差', '不喜欢这本书'];
const train = [...good.map((t) => review(t, 1)), ...bad.map((t) => review(t, 0))];

test('charNgrams: distinct 1..n-grams after NFKC, lower case, no white space; punctuation kept', () => {
  assert.deepEqual([...charNgrams('很 好', 2)], ['很', '好', '很好']);
  assert.deepEqual([...charNgrams('ＡＢ！', 1)], ['a', 'b', '!']);
  assert.deepEqual([...charNgrams('好好', 2)], ['好', '好好']);
});

test('lbfgs: minimises a convex quadratic to its minimum', () => {
  const target = [3, -2, 0.5];
  const w = lbfgs(
    (x, g) => {
      let loss = 0;
      x.forEach((v, i) => {
        const d = v - target[i]!;
        loss += (i + 1) * d * d;
        g[i] = 2 * (i + 1) * d;
      });
      return loss;
    },
    3,
    100,
  );
  w.forEach((v, i) => assert.ok(Math.abs(v - target[i]!) < 1e-4, `w[${i}] = ${v}`));
});

test('training separates the classes, unseen texts by their n-grams; save/load keeps every margin', () => {
  const model = NgramSentimentModel.train(train, { minCount: 1, c: 1 });
  for (const r of train) assert.equal(model.margin(r.text) > 0, r.label === 1, r.text);
  assert.ok(model.margin('很好') > 0 && model.margin('太差') < 0);
  const file = join(root, 'ngram.tsv');
  model.save(file);
  const loaded = NgramSentimentModel.load(file);
  assert.equal(loaded.size, model.size);
  for (const t of [...good, ...bad, '没见过的句子'])
    assert.ok(Math.abs(loaded.margin(t) - model.margin(t)) < 1e-3 * (1 + Math.abs(model.margin(t))), t);
  // A stronger L2 gives smaller margins: the regulariser is applied.
  const strong = NgramSentimentModel.train(train, { minCount: 1, c: 0.01 });
  assert.ok(Math.abs(strong.margin('服务很好')) < Math.abs(model.margin('服务很好')));
});

test('a bad n-gram file is a BundleError naming the file and line', () => {
  const file = join(root, 'bad.tsv');
  writeFileSync(file, 'gram\t1\n');
  assert.throws(
    () => NgramSentimentModel.load(file),
    (e: Error) => e instanceof BundleError && /bad\.tsv:1:/.test(e.message),
  );
  writeFileSync(file, '#fewprompt-sentiment-ngram v1\n#maxN\t3\n#bias\t0\n好\tabc\n');
  assert.throws(
    () => NgramSentimentModel.load(file),
    (e: Error) =>
      e instanceof BundleError && e.message.includes("bad.tsv:4: expected 'gram<TAB>number', got '好\tabc'"),
  );
});
