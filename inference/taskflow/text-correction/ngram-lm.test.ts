// Tests of ngram-{lm,format,mixture}.ts on toy models estimated with kneser-ney.ts.
import { expect, test } from 'vitest';
import { quantize, readNgramLm, writeNgramLm } from './ngram-format.js';
import { BOS, codedValue, lmChar, NgramLm, type NgramTables } from './ngram-lm.js';
import { MixtureLm } from './ngram-mixture.js';
import { estimateKneserNey } from './kneser-ney.js';
import { encodeCorpus } from './lm-corpus.js';

const TEXT = [
  '我们去学校。',
  '我们去公园玩。',
  '他们去学校上课。',
  '我去公园。',
  '我们在学校。',
  '他去上课。',
  '学校很大。',
];

function toy(order: number, minCounts?: number[], text = TEXT): NgramTables {
  const { vocab, tokens } = encodeCorpus(text, { minCount: 1 });
  return estimateKneserNey(tokens, vocab, { order, ...(minCounts ? { minCounts } : {}) }).tables;
}

/** ln p(tokens[j] | …) straight from the backoff definition: the reference the trie walks must agree with. */
function reference(t: NgramTables, tokens: number[], j: number): number {
  const find = (gram: number[]): number => {
    let node = gram[gram.length - 1]!;
    for (let k = gram.length - 2; k >= 0; k--) {
      const { first } = t.levels[gram.length - 2 - k]!;
      const ids = t.levels[gram.length - 1 - k]!.ids;
      const at = ids.subarray(first![node]!, first![node + 1]!).indexOf(gram[k]!);
      if (at < 0) return -1;
      node = first![node]! + at;
    }
    return node;
  };
  const ctx = tokens.slice(Math.max(0, j - t.levels.length + 1), j);
  for (let n = ctx.length; n >= 0; n--) {
    const at = find([...ctx.slice(ctx.length - n), tokens[j]!]);
    if (at < 0) continue;
    let lp = codedValue(t.levels[n]!.logProb, at);
    for (let m = n; m < ctx.length; m++) {
      const c = find(ctx.slice(ctx.length - m - 1));
      if (c >= 0) lp += codedValue(t.levels[m]!.logBackoff!, c);
    }
    return lp;
  }
  throw new Error('unreachable: every token is a unigram');
}

test('the trie walks agree with the backoff definition at every position', () => {
  for (const order of [2, 3, 4]) {
    const tables = toy(order, order === 4 ? [1, 1, 1, 2] : undefined);
    const lm = new NgramLm(tables);
    for (const s of ['我们去学校上课。', '他们在公园玩。', '学校去我们。']) {
      const tokens = lm.encode(s);
      const scored = lm.score(tokens);
      for (let j = 1; j < tokens.length; j++)
        expect(Math.log(scored.prob[j]!)).toBeCloseTo(reference(tables, Array.from(tokens), j), 5);
    }
  }
});

test('ratio is p(text with one character replaced) / p(text), and leaves the text as it was', () => {
  const lm = new NgramLm(toy(3));
  const tokens = lm.encode('我们去学效。');
  const scored = lm.score(tokens);
  const fixed = Math.log(lm.ratio(scored, 5, lm.id('校')));
  expect(fixed).toBeCloseTo(lm.sentenceLogProb('我们去学校。') - lm.sentenceLogProb('我们去学效。'), 5);
  expect(fixed).toBeGreaterThan(2);
  expect(Array.from(tokens)).toEqual(Array.from(lm.encode('我们去学效。')));
});

test('the file round-trips exactly: structure, codebooks and codes', () => {
  const tables = toy(3);
  const lm = readNgramLm(writeNgramLm(tables), 'toy.bin');
  expect(lm.tables.vocab).toEqual(tables.vocab);
  tables.levels.forEach((level, k) => {
    const read = lm.tables.levels[k]!;
    expect(Array.from(read.ids)).toEqual(Array.from(level.ids));
    expect(read.first && Array.from(read.first)).toEqual(level.first && Array.from(level.first));
    expect(read.logProb).toEqual(level.logProb);
    expect(read.logBackoff).toEqual(level.logBackoff);
  });
  expect(writeNgramLm(lm.tables).equals(writeNgramLm(tables))).toBe(true);
});

test('quantize: no value far from its centre, where values are many or few', () => {
  const values = Float32Array.from({ length: 5000 }, (_, i) => -Math.sqrt(i) / 7);
  const { codebook, codes } = quantize(values);
  let worst = 0;
  values.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(codebook[codes[i]!]! - v));
  });
  expect(worst).toBeLessThan((10.1 / 128) * 0.6); // half the widest bin (1/128 of the range), with slack
  expect(new Set(codes).size).toBeGreaterThan(200);
});

test('a damaged file fails with one line that says what is wrong', () => {
  const good = writeNgramLm(toy(2));
  const bad = (b: Buffer) => () => readNgramLm(b, 'lm.bin');
  expect(bad(Buffer.from('hello world, not a model at all'))).toThrow(/^lm\.bin: not a valid n-gram model: no /);
  expect(bad(good.subarray(0, good.length - 9))).toThrow(/CRC mismatch/);
  const flipped = Buffer.from(good);
  flipped[40]! ^= 0xff;
  expect(bad(flipped)).toThrow(/CRC mismatch/);
  const version = Buffer.from(good);
  version.writeUInt32LE(9, 8);
  expect(bad(version)).toThrow(/format version 9, this reader knows 1/);
  for (const f of [bad(Buffer.from('x')), bad(version)]) {
    try {
      f();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  }
});

test('lmChar: digits and Latin letters by kind, half-width punctuation to full width', () => {
  expect([...'Ａ1,好 x９?'].map(lmChar).join('')).toBe('a0，好 a0？');
});

test('a mixture interpolates linearly, and needs one vocabulary', () => {
  const a = new NgramLm(toy(2));
  const b = new NgramLm(toy(3));
  const mix = new MixtureLm([a, b], [0.3, 0.7]);
  const t = mix.encode('我们去学校。');
  const expected = Math.log(0.3 * Math.exp(a.logProb(t, 3)) + 0.7 * Math.exp(b.logProb(t, 3)));
  expect(mix.logProb(t, 3)).toBeCloseTo(expected, 6);
  const scored = mix.score(t);
  const r = Math.log(mix.ratio(scored, 5, mix.id('效')));
  expect(r).toBeCloseTo(mix.sentenceLogProb('我们去学效。') - mix.sentenceLogProb('我们去学校。'), 5);
  const other = new NgramLm(toy(2, undefined, ['完全不同的字。']));
  expect(() => new MixtureLm([a, other], [0.5, 0.5])).toThrow(/another vocabulary/);
  expect(() => new MixtureLm([a, b], [0.5, 0.6])).toThrow(/sum to 1/);
  expect(t[0]).toBe(BOS);
});
