import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { DataError } from '../../../framework/errors.js';
import { cmrcExactMatch, cmrcF1, cmrcScore, mixedSegmentation } from './evaluate.js';
import { readSquad } from './squad.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-4, `${a} vs ${b}`);

test('CMRC metric on hand-made cases: characters as tokens, words between, punctuation and case ignored', () => {
  // As the official script: skipped punctuation does not end a word run, so 'York，2018' is one word.
  assert.deepEqual(mixedSegmentation('《战国无双3》 New York，2018年'), [
    '战',
    '国',
    '无',
    '双',
    '3',
    'new',
    'york2018',
    '年',
  ]);
  close(cmrcF1(['北京大学'], '北京'), 2 / 3); // P 1, R 1/2
  close(cmrcF1(['New York'], 'new york city'), 0.8); // P 2/3, R 1
  // The longest common *substring*: 甲丙丁 against 甲乙丙丁 shares 丙丁 (2), not the subsequence 甲丙丁 (3).
  close(cmrcF1(['甲乙丙丁'], '甲丙丁'), 4 / 7);
  close(cmrcF1(['上海', '北京大学'], '北京大学'), 1); // best over the gold answers
  close(cmrcF1(['北京'], '上海'), 0);
  assert.equal(cmrcExactMatch(['《战国无双3》'], '战国无双3'), 1);
  assert.equal(cmrcExactMatch(['Apple公司'], 'apple公司'), 1);
  assert.equal(cmrcExactMatch(['北京'], '北京市'), 0);
  const score = cmrcScore(
    [
      { id: 'a', answers: ['北京'] },
      { id: 'b', answers: ['北京大学'] },
      { id: 'c', answers: ['上海'] },
    ],
    { a: '北京', b: '北京' },
  );
  close(score.em, 100 / 3);
  close(score.f1, (100 * (1 + 2 / 3)) / 3);
  assert.equal(score.unanswered, 1);
});

test(`SQuAD reader: offsets checked (an off-by-one start is found by search), 1:1 conversion, \
bad answers named`, () => {
  const file = fileURLToPath(new URL('./fixtures/mini-squad.json', import.meta.url));
  const raw = readSquad(file);
  assert.equal(raw.length, 2);
  assert.deepEqual(raw[1]!.answers, [
    { text: '歐洲', start: 10 },
    { text: '歐洲', start: 10 },
  ]);
  const table: Record<string, string> = {
    陸: '陆',
    漢: '汉',
    頓: '顿',
    開: '开',
    創: '创',
    歐: '欧',
    對: '对',
    語: '语',
    學: '学',
    術: '术',
    誰: '谁',
    區: '区',
  };
  const simplified = readSquad(file, { convert: (t) => [...t].map((c) => table[c] ?? c).join('') });
  assert.equal(
    simplified[0]!.context.slice(simplified[0]!.answers[0]!.start, simplified[0]!.answers[0]!.start + 7),
    '陆特和汉斯雷顿',
  );
  const bad = join(mkdtempSync(join(tmpdir(), 'fewprompt-squad-')), 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({
      data: [
        {
          paragraphs: [
            { context: '甲乙丙', qas: [{ id: 'x', question: '?', answers: [{ text: '丁', answer_start: 0 }] }] },
          ],
        },
      ],
    }),
  );
  assert.throws(
    () => readSquad(bad),
    (e: Error) => e instanceof DataError && /question x: answer '丁' is not in its context/.test(e.message),
  );
  assert.deepEqual(
    readSquad(bad, { allowUnlocated: true })[0]!.answers,
    [{ text: '丁', start: -1 }],
    'evaluation keeps gold strings',
  );
});

test('a length-changing conversion goes character by character; answers read back from the converted text', () => {
  const file = fileURLToPath(new URL('./fixtures/mini-squad.json', import.meta.url));
  // A phrase rule that turns two characters into one, and a one-to-one character rule.
  const convert = (t: string) => t.replace(/漢斯/g, '汉').replace(/陸/g, '陆');
  const [first] = readSquad(file, { convert });
  assert.equal(first!.context.slice(0, 7), '陆特和漢斯雷頓');
  assert.equal(first!.answers[0]!.text, '陆特和漢斯雷頓');
  // A character whose conversion has another length is kept as it is.
  const [kept] = readSquad(file, { convert: (t) => t.replace(/陸/g, '𪟝').replace(/漢/g, '汉') });
  assert.equal(kept!.answers[0]!.text, '陸特和汉斯雷頓');
});
