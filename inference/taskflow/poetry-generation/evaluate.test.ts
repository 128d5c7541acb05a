import assert from 'node:assert/strict';
import { test } from 'vitest';
import { DISTINCT_LINES, firstLineOf, repeatsThrice, scoreAnswers } from './evaluate.js';

test('a line repeats a character three times (punctuation not counted)', () => {
  assert.equal(repeatsThrice('，不人不不人。'), true);
  assert.equal(repeatsThrice('，疑是地上霜。'), false);
  assert.equal(repeatsThrice('，山山水水月。'), false);
});

test('scores: right form, copies of the real second line, distinct answers, triple repeats', () => {
  const poems = [
    '床前明月光，疑是地上霜。举头望明月，低头思故乡。',
    '两个黄鹂鸣翠柳，一行白鹭上青天。窗含西岭千秋雪，门泊东吴万里船。',
  ];
  assert.equal(firstLineOf(poems[1]!), '两个黄鹂鸣翠柳');
  assert.deepEqual(scoreAnswers(poems, ['，疑是地上霜。', '，不人不不人。']), {
    firstLines: 2,
    rightForm: 1,
    exactSecondLine: 1,
    distinctRate: 1,
    tripleRepeats: 1,
    tripleRepeatsHead: 1,
  });
  assert.equal(scoreAnswers(poems, ['，不人不不人。', '，不人不不人。']).distinctRate, 0.5);
  const many = Array.from({ length: DISTINCT_LINES + 10 }, (_, i) => (i < DISTINCT_LINES ? `，${i}。` : '，同。'));
  const rate = scoreAnswers(
    many.map(() => poems[0]!),
    many,
  ).distinctRate;
  assert.equal(rate, 1, `only the first ${DISTINCT_LINES} answers count`);
});
