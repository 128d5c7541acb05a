import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { tf } from '../framework/backend/tf.js';
import { readSafetensors } from '../framework/checkpoint/safetensors.js';
import { BertModel } from '../framework/model/bert.js';
import { readBertConfig } from '../framework/model/config.js';
import { TEST_BACKENDS, useBackend } from '../framework/testing/backends.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import { ManualVerbalizer } from './manual.js';
import { gatherMaskHidden, restrictedMaskLogits } from './mask-logits.js';
import { SoftVerbalizer } from './soft.js';

const DIR = fileURLToPath(new URL('../framework/model/fixtures/tiny-bert/', import.meta.url));
const config = readBertConfig(DIR);
const weights = new Map([...readSafetensors(`${DIR}model.safetensors`)].map(([k, v]) => [k.replace(/^bert\./, ''), v]));
const tok = BertTokenizer.fromVocabFile(`${DIR}vocab.txt`);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

for (const backend of TEST_BACKENDS) {
  test(`restrictedMaskLogits equals gathered full mlmLogits on ${backend} (raw and vocab log-softmax); no \
leaks`, async () => {
    await useBackend(backend);
    const model = BertModel.fromStateDict(config, weights);
    const inputIds = tf.tensor2d(
      [
        [2, 10, 4, 4, 30, 3],
        [2, 4, 50, 60, 4, 3],
      ],
      [2, 6],
      'int32',
    );
    const maskPositions = tf.tensor2d(
      [
        [2, 3],
        [1, 4],
      ],
      [2, 2],
      'int32',
    );
    const tokenIds = [40, 7, 95, 12];
    const before = tf.memory().numTensors;
    const [got, gotVocab, want, wantVocab] = tf.tidy(() => {
      const hidden = model.encode({ inputIds }, { training: false });
      const full = model.mlmLogits(tf.reshape(gatherMaskHidden(hidden, maskPositions), [4, -1])); // [B·M, V]
      const ids = tf.tensor1d(tokenIds, 'int32');
      return [
        restrictedMaskLogits(model, hidden, maskPositions, tokenIds).dataSync(),
        restrictedMaskLogits(model, hidden, maskPositions, tokenIds, { normalize: 'vocab' }).dataSync(),
        tf.gather(full, ids, 1).dataSync(),
        tf.gather(tf.logSoftmax(full), ids, 1).dataSync(),
      ];
    });
    assert.equal(tf.memory().numTensors, before);
    assert.ok(maxDiff(got, want) < 1e-5, `raw differs by ${maxDiff(got, want)}`);
    assert.ok(maxDiff(gotVocab, wantVocab) < 1e-5, `vocab differs by ${maxDiff(gotVocab, wantVocab)}`);
    // The shape is [B, M, K], row-major like the gathered [B·M, K].
    assert.deepEqual(
      tf.tidy(() => restrictedMaskLogits(model, model.encode({ inputIds }), maskPositions, tokenIds).shape),
      [2, 2, 4],
    );
    assert.throws(
      () => tf.tidy(() => restrictedMaskLogits(model, tf.zeros([2, 6, 32]), maskPositions, [96])),
      /outside the vocabulary/,
    );

    // ManualVerbalizer end to end: default 'vocab' = summed vocab log-probs of each word's tokens.
    const words = tok.idToToken(40) + tok.idToToken(7);
    const other = tok.idToToken(95) + tok.idToToken(12);
    const v = new ManualVerbalizer({ labelWords: { a: words, b: other }, numMasks: 2 }, tok);
    assert.deepEqual(v.tokenIds, tokenIds);
    const scores = tf.tidy(() => v.labelScoresFromHidden(model, model.encode({ inputIds }), maskPositions).dataSync());
    // wantVocab rows: (b, m) → [40, 7, 95, 12]
    const lp = (b: number, m: number, k: number) => wantVocab[(b * 2 + m) * 4 + k]!;
    const expected = [
      lp(0, 0, 0) + lp(0, 1, 1),
      lp(0, 0, 2) + lp(0, 1, 3),
      lp(1, 0, 0) + lp(1, 1, 1),
      lp(1, 0, 2) + lp(1, 1, 3),
    ];
    assert.ok(maxDiff(scores, expected) < 1e-5);
    assert.equal(tf.memory().numTensors, before);

    // SoftVerbalizer: the head starts as the MLM head restricted to the label words (bias 0), token-mean init.
    const soft = new SoftVerbalizer({ labelWords: { a: tok.idToToken(40), b: tok.idToToken(95) } }, tok, model);
    const [head, mlm] = tf.tidy(() => {
      const hidden = model.encode({ inputIds });
      const first = tf.slice(maskPositions, [0, 0], [-1, 1]);
      const h = soft.labelScoresFromHidden(gatherMaskHidden(hidden, first));
      const bias = tf.gather(model.params.get('cls.predictions.bias'), tf.tensor1d([40, 95], 'int32'));
      return [
        h.dataSync(),
        tf.sub(tf.reshape(restrictedMaskLogits(model, hidden, first, [40, 95]), [2, 2]), bias).dataSync(),
      ];
    });
    assert.ok(maxDiff(head, mlm) < 1e-5, `soft head differs by ${maxDiff(head, mlm)}`);
    soft.dispose();
    model.dispose();
    inputIds.dispose();
    maskPositions.dispose();
  });
}
