// Tests of context-model.ts on a toy corpus, and of the rule term it adds (lm-rule.ts).
import { expect, test } from 'vitest';
import { BundleError } from '../../../framework/errors.js';
import { ContextCounter, posContexts, readContextModel, writeContextModel } from './context-model.js';
import { estimateKneserNey } from './kneser-ney.js';
import { encodeCorpus } from './lm-corpus.js';
import { LmEvidence, type LmRule, type PositionCandidates } from './lm-rule.js';
import { NgramLm } from './ngram-lm.js';

/** 真的 is common (really), so a trigram likes 认真的学习; 地 before a verb and after an adverb is the rule. */
const CORPUS = [
  '他认真地学习。',
  '她认真地工作。',
  '我们努力地学习。',
  '大家高兴地工作。',
  '这是真的。',
  '真的很好。',
  '我真的喜欢。',
  '你真的来了。',
  '我的书很好。',
  '他的学习很好。',
  '我的工作很忙。',
  '他跑得很快。',
  '在学校学习。',
];
const counter = new ContextCounter(['的地得', '在再']);
for (const s of CORPUS) counter.add(s);
const MODEL = counter.model(1, 1);

test('the context decides between group members; other characters get 0', () => {
  expect(MODEL.margin(Array.from('认真的学习'), 2, '地')).toBeGreaterThan(1);
  expect(MODEL.margin(Array.from('我的书'), 1, '地')).toBeLessThan(0);
  expect(MODEL.margin(Array.from('跑的很快'), 1, '得')).toBeGreaterThan(0);
  expect(MODEL.margin(Array.from('认真的学习'), 2, '在')).toBe(0); // another group
  expect(MODEL.margin(Array.from('学校'), 1, '效')).toBe(0); // no group
});

test('the tag view: the words either side of a one-character word, and which member their tags want', () => {
  const tags = posContexts('认真的学习');
  expect(tags.get(2)).toEqual(['ad', 'v']);
  expect(tags.has(0)).toBe(false); // inside 认真
  expect(MODEL.posMargin(tags, Array.from('认真的学习'), 2, '地')).toBeGreaterThan(0);
  const book = posContexts('我的书');
  expect(MODEL.posMargin(book, Array.from('我的书'), 1, '地')).toBeLessThan(0);
  expect(MODEL.posMargin(book, Array.from('我的书'), 0, '他')).toBe(0);
});

test('the file round-trips, and a damaged one fails with one line', () => {
  const back = readContextModel(writeContextModel(MODEL), 'context.bin');
  expect(back.groups).toEqual(MODEL.groups);
  expect(back.beta).toBe(MODEL.beta);
  const text = Array.from('认真的学习');
  expect(back.margin(text, 2, '地')).toBeCloseTo(MODEL.margin(text, 2, '地'));
  const tags = posContexts('认真的学习');
  expect(back.posMargin(tags, text, 2, '地')).toBeCloseTo(MODEL.posMargin(tags, text, 2, '地'));
  const small = MODEL.tagsOnly(); // what ships when no rule weighs the character view
  expect(small.posMargin(tags, text, 2, '地')).toBe(MODEL.posMargin(tags, text, 2, '地'));
  expect(writeContextModel(small).length).toBeLessThan(writeContextModel(MODEL).length);
  expect(() => readContextModel(new Uint8Array([1, 2, 3]), 'x.bin')).toThrow(BundleError);
  expect(() => readContextModel(new Uint8Array([1, 2, 3]), 'x.bin')).toThrow(/^x\.bin: not a fewprompt-csc-context/);
});

test('a character in two groups is refused', () => {
  expect(() => new ContextCounter(['的地', '地得']).model(1, 1)).toThrow(/'地' is in two groups/);
});

// The n-gram model has not seen 认真地: it judges 真地 by backing off, and 真的 wins.
const { vocab, tokens } = encodeCorpus(
  CORPUS.filter((s) => !s.includes('认真地')),
  { minCount: 1 },
);
const LM = new NgramLm(estimateKneserNey(tokens, vocab, { order: 3 }).tables);
const GROUP: Record<string, string[]> = { 的: ['地', '得'], 地: ['的', '得'], 得: ['的', '地'] };
const candidates = (text: string): (PositionCandidates | undefined)[] =>
  Array.from(text, (ch) => {
    const chars = GROUP[ch];
    return chars ? { chars, neuralMargins: new Float32Array(chars.length) } : undefined;
  });

test('the context term changes the decision it should (认真的学习 → 认真地学习) and leaves correct text alone', () => {
  const rule: LmRule = { neuralWeight: 0, threshold: 1, maxEdits: 2, maxCandidates: 0 };
  const correct = (text: string, r: LmRule) => LmEvidence.collect(text, LM, candidates(text), r, MODEL).decide(r);
  expect(correct('认真的学习', rule).target).toBe('认真的学习'); // the trigram alone keeps 的 (Δ ≈ −2.3)
  const withContext = { ...rule, contextWeight: 2 };
  expect(correct('认真的学习', withContext)).toEqual({
    source: '认真的学习',
    target: '认真地学习',
    errors: [{ position: 2, correction: { 的: '地' } }],
  });
  for (const text of ['我的书很好。', '他认真地学习。', '真的很好。'])
    expect(correct(text, withContext).target).toBe(text);
  expect(correct('认真的学习', { ...rule, posWeight: 2 }).target).toBe('认真地学习'); // by tags alone
  // Tuning (no rule at collect time) sees the same decision.
  expect(
    LmEvidence.collect('认真的学习', LM, candidates('认真的学习'), undefined, MODEL).decide(withContext).target,
  ).toBe('认真地学习');
});
