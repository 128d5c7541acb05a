import { expect, test } from 'vitest';
import { BOS, EOS, NgramLm, UNK } from './ngram-lm.js';
import { countOrder, discounts, estimateKneserNey } from './kneser-ney.js';
import { encodeCorpus } from './lm-corpus.js';

// Toy corpus: "a b", "a a b", "b"  →  <s> a b </s> <s> a a b </s> <s> b </s>
const VOCAB = ['<s>', '</s>', '<unk>', 'a', 'b'];
const A = 3;
const B = 4;
const TOKENS = Uint16Array.of(BOS, A, B, EOS, BOS, A, A, B, EOS, BOS, B, EOS);

test('countOrder counts n-grams inside sentences only (<s> first, </s> last)', () => {
  const bigrams = countOrder(TOKENS, 2, 5);
  const named = Object.fromEntries(
    Array.from(bigrams.codes, (c, i) => [`${VOCAB[Math.floor(c / 5)]} ${VOCAB[c % 5]}`, bigrams.counts[i]]),
  );
  expect(named).toEqual({ '<s> a': 2, '<s> b': 1, 'a a': 1, 'a b': 2, 'b </s>': 3 });
});

test('discounts follow Chen & Goodman, and fall back to 0.5 / 1 / 1.5 without n1..n4', () => {
  // n1 = 4, n2 = 3, n3 = 2, n4 = 1: Y = 4 / 10; D1 = 1 − 2·0.4·3/4, D2 = 2 − 3·0.4·2/3, D3+ = 3 − 4·0.4·1/2.
  const { d, fallback } = discounts([1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 7]);
  expect(fallback).toBe(false);
  expect(d[0]).toBeCloseTo(0.4, 12);
  expect(d[1]).toBeCloseTo(1.2, 12);
  expect(d[2]).toBeCloseTo(2.2, 12);
  expect(discounts([1, 2, 2])).toEqual({ d: [0.5, 1, 1.5], fallback: true });
});

test('bigram model of the toy corpus matches probabilities computed by hand', () => {
  const { tables, stats } = estimateKneserNey(TOKENS, VOCAB, { order: 2 });
  expect(stats.fallback).toEqual([1, 2]); // too few counts of counts: D = 0.5, 1, 1.5 at both orders
  const lm = new NgramLm(tables);
  // A unigram is read after <unk>: never a context in this corpus, so its backoff is 1.
  const p = (w: number, ctx = UNK) => Math.exp(lm.logProb(Int32Array.of(ctx, w), 1));
  // Unigrams use continuation counts: a ← {<s>, a} = 2, b ← {a, <s>} = 2, </s> ← {b} = 1; total 5.
  // Discounted mass (2−1) + (2−1) + (1−0.5) = 2.5, so γ = 0.5, spread over 4 tokens (<s> excluded).
  const pa = 1 / 5 + 0.5 / 4;
  const pEnd = 0.5 / 5 + 0.5 / 4;
  expect(p(A)).toBeCloseTo(pa, 6);
  expect(p(B)).toBeCloseTo(pa, 6);
  expect(p(EOS)).toBeCloseTo(pEnd, 6);
  expect(p(UNK)).toBeCloseTo(0.5 / 4, 6);
  // Context <s>: raw counts a 2, b 1 (total 3), mass (2−1) + (1−0.5) = 1.5 → γ = 0.5.
  expect(p(A, BOS)).toBeCloseTo(1 / 3 + 0.5 * pa, 6);
  expect(p(B, BOS)).toBeCloseTo(0.5 / 3 + 0.5 * pa, 6);
  expect(p(EOS, BOS)).toBeCloseTo(0.5 * pEnd, 6); // unseen: backoff γ(<s>) · p(</s>)
  // Context a: a 1, b 2 → p(b | a) = (2−1)/3 + γ p(b); context b: </s> 3 → p(</s> | b) = (3−1.5)/3 + γ p(</s>).
  expect(p(B, A)).toBeCloseTo(1 / 3 + 0.5 * pa, 6);
  expect(p(EOS, B)).toBeCloseTo(1.5 / 3 + 0.5 * pEnd, 6);
  expect(p(A, B)).toBeCloseTo(0.5 * pa, 6);
});

test('every context of a pruned trigram model is a distribution over the vocabulary', () => {
  const text = ['我们去学校。', '我们去公园玩。', '他们去学校上课。', '我去公园。', '我们在学校。', '他去上课。'];
  const { vocab, tokens } = encodeCorpus(text, { minCount: 1 });
  const { tables, stats } = estimateKneserNey(tokens, vocab, { order: 3, minCounts: [1, 1, 2] });
  expect(stats.kept[2]).toBeLessThan(stats.seen[2]!); // the cut-off dropped trigrams seen once
  const lm = new NgramLm(tables);
  for (const ctx of [[BOS], [BOS, lm.id('我')], [lm.id('我'), lm.id('们')], [lm.id('学'), lm.id('上')]]) {
    let sum = 0;
    for (let w = 1; w < vocab.length; w++) sum += Math.exp(lm.logProb(Int32Array.of(...ctx, w), ctx.length));
    expect(sum).toBeCloseTo(1, 5);
  }
  expect(lm.sentenceLogProb('我们去学校。')).toBeGreaterThan(lm.sentenceLogProb('我们去学效。'));
});
