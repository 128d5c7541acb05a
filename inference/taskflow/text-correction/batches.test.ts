import { test } from 'vitest';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../../framework/random.js';
import { errorPositions } from './sighan.js';
import { CharVocab } from './char-vocab.js';
import { ConfusionSet } from './confusion.js';
import { buildCscBatch, encodePairs, lengthBuckets } from './batches.js';
import { corrupt, sentencesOf } from './synthetic.js';

const vocab = new CharVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '朋', '友', '唷', '去', '你', '好']);

test('a batch: [CLS] chars [SEP] padding, detection labels, every wrong character in the correction targets', () => {
  const encoded = encodePairs(
    [
      { id: 'a', source: '朋唷去', target: '朋友去' },
      { id: 'b', source: '你好', target: '你好' },
    ],
    vocab,
    126,
  );
  const b = buildCscBatch(encoded, vocab, 0, new SeededRandom(1));
  assert.deepEqual([b.batch, b.seq], [2, 5]);
  assert.deepEqual(Array.from(b.inputIds), [2, 5, 7, 8, 3, 2, 9, 10, 3, 0]);
  assert.deepEqual(Array.from(b.attentionMask), [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(b.charPositions), [1, 2, 3, 6, 7]);
  assert.deepEqual(Array.from(b.wrong), [0, 1, 0, 0, 0]);
  assert.deepEqual([Array.from(b.correctPositions), Array.from(b.correctLabels)], [[2], [6]]);
  assert.equal(buildCscBatch(encoded, vocab, 1, new SeededRandom(1)).correctPositions.length, 5);
});

test('long sentences are cut; the length buckets cover every row once', () => {
  const encoded = encodePairs([{ id: 'a', source: '朋友去你好', target: '朋友去你好' }], vocab, 2);
  assert.deepEqual(
    encoded.map((e) => e.source.length),
    [2, 2, 1],
  );
  const batches = lengthBuckets([5, 1, 3, 2, 4, 6, 7], 3, new SeededRandom(2));
  assert.deepEqual(batches.flat().sort(), [0, 1, 2, 3, 4, 5, 6]);
});

test('synthetic errors come from the confusion set and keep the length', () => {
  const confusion = new ConfusionSet().addPinyin('友\t有又\t\n');
  const rng = new SeededRandom(3);
  let changed = 0;
  for (let k = 0; k < 50; k++) {
    const p = corrupt('朋友去', `s${k}`, confusion, [], rng, { cleanRate: 0.2, randomRate: 0 });
    assert.equal(p.target, '朋友去');
    const pos = errorPositions(p);
    if (pos.length > 0) {
      changed++;
      assert.deepEqual(pos, [1]);
      assert.ok(['有', '又'].includes(Array.from(p.source)[1]!));
    }
  }
  assert.ok(changed > 25 && changed < 50);
  assert.deepEqual(sentencesOf('今天天气很好。我们去公园散步吧！ok\nhttp://a.b/c/d/e'), [
    '今天天气很好。',
    '我们去公园散步吧！',
  ]);
});

test('cropping keeps the first error inside a window of the asked length', () => {
  const rng = new SeededRandom(4);
  for (let k = 0; k < 30; k++) {
    const [e] = encodePairs(
      [{ id: 'a', source: '你好你好朋唷去你好你好', target: '你好你好朋友去你好你好' }],
      vocab,
      126,
      { chars: 3, rng },
    );
    assert.equal(e!.source.length, 3);
    assert.ok(Array.from(e!.source).some((id, i) => id !== e!.target[i]));
  }
  const [clean] = encodePairs([{ id: 'b', source: '你好你好', target: '你好你好' }], vocab, 126, { chars: 2, rng });
  assert.equal(clean!.source.length, 2);
});
