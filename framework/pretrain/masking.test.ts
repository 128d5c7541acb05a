import { strict as assert } from 'node:assert';
import { test } from 'vitest';
import { maskChunk, type MaskVocab } from './masking.js';
import { SeededRandom } from '../random.js';

const VOCAB: MaskVocab = {
  maskId: 4,
  randomIds: Int32Array.from({ length: 95 }, (_, i) => i + 5),
  isSpecial: (id) => id < 5,
};
const CLS = 2;
const SEP = 3;

function chunk(rng: SeededRandom, n = 128): { ids: Int32Array; wordStart: Uint8Array } {
  const ids = Int32Array.from({ length: n }, (_, i) => (i === 0 ? CLS : i === n - 1 ? SEP : 5 + rng.int(95)));
  // words of 1–4 tokens
  const wordStart = new Uint8Array(n).fill(1);
  for (let i = 1; i < n - 1; ) {
    const len = 1 + rng.int(4);
    for (let k = 1; k < len && i + k < n - 1; k++) wordStart[i + k] = 0;
    i += len;
  }
  return { ids, wordStart };
}

for (const wholeWord of [false, true]) {
  test(`15% chosen, 80/10/10 replacement (${wholeWord ? 'whole-word' : 'token'} masking)`, () => {
    const data = new SeededRandom(1);
    let chosen = 0;
    let candidates = 0;
    let masked = 0;
    let random = 0;
    let kept = 0;
    for (let c = 0; c < 400; c++) {
      const { ids, wordStart } = chunk(data);
      const m = maskChunk(ids, wordStart, VOCAB, new SeededRandom(100 + c), { wholeWord });
      candidates += ids.length - 2;
      chosen += m.positions.length;
      assert.ok(!m.positions.includes(0) && !m.positions.includes(ids.length - 1), 'specials never chosen');
      m.positions.forEach((p, k) => {
        assert.equal(m.labels[k], ids[p]);
        if (m.inputIds[p] === VOCAB.maskId) masked++;
        else if (m.inputIds[p] === ids[p]) kept++;
        else random++;
      });
      for (let i = 0; i < ids.length; i++) if (!m.positions.includes(i)) assert.equal(m.inputIds[i], ids[i]);
    }
    const rate = chosen / candidates;
    assert.ok(Math.abs(rate - 0.15) < 0.01, `masking rate ${rate}`);
    assert.ok(Math.abs(masked / chosen - 0.8) < 0.02, `[MASK] share ${masked / chosen}`);
    // a random token equal to the original counts as kept (1/95)
    assert.ok(Math.abs(random / chosen - 0.1) < 0.02, `random share ${random / chosen}`);
    assert.ok(Math.abs(kept / chosen - 0.1) < 0.02, `kept share ${kept / chosen}`);
  });
}

test('whole-word masking takes words whole', () => {
  const data = new SeededRandom(2);
  for (let c = 0; c < 50; c++) {
    const { ids, wordStart } = chunk(data);
    const chosen = new Set(maskChunk(ids, wordStart, VOCAB, new SeededRandom(c), { wholeWord: true }).positions);
    for (let i = 2; i < ids.length - 1; i++)
      if (wordStart[i] === 0) assert.equal(chosen.has(i), chosen.has(i - 1), `word split at ${i}`);
  }
});

test('deterministic by seed, different across seeds', () => {
  const { ids, wordStart } = chunk(new SeededRandom(3));
  const a = maskChunk(ids, wordStart, VOCAB, new SeededRandom(9), { wholeWord: true });
  assert.deepEqual(maskChunk(ids, wordStart, VOCAB, new SeededRandom(9), { wholeWord: true }), a);
  assert.notDeepEqual(
    maskChunk(ids, wordStart, VOCAB, new SeededRandom(10), { wholeWord: true }).positions,
    a.positions,
  );
});
