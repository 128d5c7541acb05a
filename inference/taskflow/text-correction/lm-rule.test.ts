// Tests of lm-rule.ts with a toy n-gram model estimated by kneser-ney.ts.
import { expect, test } from 'vitest';
import { applyEdits, LmEvidence, type LmRule, type PositionCandidates } from './lm-rule.js';
import { NgramLm } from './ngram-lm.js';
import { estimateKneserNey } from './kneser-ney.js';
import { encodeCorpus } from './lm-corpus.js';

const CORPUS = [
  '我们去学校上课。',
  '他们在学校上课。',
  '我去学校。',
  '学校很大。',
  '我们上课。',
  '他们去公园。',
  '效果很好。',
  '门开了。',
];
const { vocab, tokens } = encodeCorpus(CORPUS, { minCount: 1 });
const LM = new NgramLm(estimateKneserNey(tokens, vocab, { order: 3 }).tables);
/** Sound-alike candidates, both ways: 校/效, 们/门, 上/尚, 在/再. */
const CONFUSION: Record<string, string[]> = { 校: ['效'], 效: ['校'], 们: ['门'], 门: ['们'], 上: ['尚'], 在: ['再'] };
const RULE: LmRule = { neuralWeight: 0, threshold: 2, maxEdits: 2, maxCandidates: 0 };

function candidates(text: string): (PositionCandidates | undefined)[] {
  return Array.from(text, (ch) => {
    const chars = CONFUSION[ch];
    return chars ? { chars, neuralMargins: new Float32Array(chars.length) } : undefined;
  });
}

const correct = (text: string, rule = RULE) => LmEvidence.collect(text, LM, candidates(text)).decide(rule);

test('a correct sentence is left alone', () => {
  for (const text of ['我们去学校上课。', '他们在学校上课。'])
    expect(correct(text)).toEqual({ source: text, target: text, errors: [] });
});

test('an obvious error is fixed, in PaddleNLP shape', () => {
  expect(correct('我们去学效上课。')).toEqual({
    source: '我们去学效上课。',
    target: '我们去学校上课。',
    errors: [{ position: 4, correction: { 效: '校' } }],
  });
});

test('two errors: the second is judged in the corrected context, and maxEdits caps the count', () => {
  expect(correct('我门去学效上课。').target).toBe('我们去学校上课。');
  expect(correct('我门去学效上课。', { ...RULE, maxEdits: 1 }).errors).toHaveLength(1);
});

test('the threshold decides: a high one changes nothing; the network margin counts with its weight', () => {
  expect(correct('我们去学效上课。', { ...RULE, threshold: 1000 }).target).toBe('我们去学效上课。');
  const text = '我们去学效上课。';
  const against = Array.from(text, (ch) =>
    ch === '效' ? { chars: ['校'], neuralMargins: Float32Array.of(-1000) } : undefined,
  );
  expect(LmEvidence.collect(text, LM, against).decide({ ...RULE, neuralWeight: 1 }).target).toBe(text);
});

test('characters the model does not know are neither changed nor proposed', () => {
  const text = '我们去学㐀上课。'; // U+3400: not in the toy vocabulary
  const ev = LmEvidence.collect(text, LM, [...candidates(text).slice(0, 5), { chars: ['校'], neuralMargins: [0] }]);
  expect(ev.decide(RULE).target).toBe(text);
  const unknownCandidate = LmEvidence.collect('我们去学效', LM, [
    undefined,
    undefined,
    undefined,
    undefined,
    { chars: ['㐀'], neuralMargins: [0] },
  ]);
  expect(unknownCandidate.size).toBe(0);
});

test('applyEdits stops at the first edit under the threshold', () => {
  const steps = [
    { position: 0, char: '甲', score: 5 },
    { position: 1, char: '乙', score: 1 },
    { position: 2, char: '丙', score: 9 },
  ];
  expect(applyEdits('一二三', steps, 2, 3).target).toBe('甲二三');
  expect(applyEdits('一二三', steps, 0, 2).target).toBe('甲乙三');
});
