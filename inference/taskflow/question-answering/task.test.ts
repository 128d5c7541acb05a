import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError, TaskInputError } from '../../../framework/errors.js';
import { Taskflow, type TaskInput, type TaskOutput } from '../index.js';
import { QuestionAnsweringTask, SHIPPED_READER } from './task.js';
import { writeTinyReaderBundle } from './tiny-reader.fixture.js';

const root = mkdtempSync(join(tmpdir(), 'fewprompt-qa-task-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const CONTEXT = '长江是中国第一长河，全长约六千三百公里，发源于青藏高原的唐古拉山脉，最后在上海注入东海。';
const INPUT = { question: '长江在哪里注入东海？', context: CONTEXT };

test('the input and result types are inferred from the task name', () => {
  const input: Equal<TaskInput<'question_answering'>, { readonly question: string; readonly context: string }> = true;
  const output: Equal<
    TaskOutput<'question_answering'>,
    { answer: string; start: number; end: number; score: number }
  > = true;
  const texts: Equal<TaskInput<'word_segmentation'>, string> = true;
  // Compiled, not run: one input gives one answer, a list one answer each.
  const calls = async () => {
    const one: TaskOutput<'question_answering'> = await Taskflow('question_answering')(INPUT);
    const many: TaskOutput<'question_answering'>[] = await Taskflow('question_answering')([INPUT, INPUT]);
    return [one, many];
  };
  assert.ok(input && output && texts && typeof calls === 'function');
});

test('Taskflow: one input → one answer, a list → one each; answers are spans of their passages', async () => {
  const taskPath = join(root, 'tiny');
  await writeTinyReaderBundle(taskPath);
  const qa = Taskflow('question_answering', { taskPath, batchSize: 2 });
  const one = await qa(INPUT);
  assert.deepEqual(Object.keys(one).sort(), ['answer', 'end', 'score', 'start']);
  assert.equal(one.answer, CONTEXT.slice(one.start, one.end));
  assert.ok(one.answer.length > 0 && one.score > 0 && one.score <= 1);
  const long = { question: '谁？', context: CONTEXT.repeat(5) };
  const many = await qa([INPUT, long, { question: '什么？', context: '' }]);
  assert.equal(many.length, 3);
  assert.deepEqual(many[0], one);
  assert.equal(many[1]!.answer, long.context.slice(many[1]!.start, many[1]!.end));
  assert.deepEqual(many[2], { answer: '', start: 0, end: 0, score: 0 });
  assert.deepEqual(await qa([]), []);
  await qa.close();
  // A bundle whose threshold no span reaches answers empty, with the best span's score.
  const strictPath = join(root, 'strict');
  await writeTinyReaderBundle(strictPath, { decode: { maxAnswerTokens: 8, threshold: 1 } });
  const strict = await Taskflow('question_answering', { taskPath: strictPath })(INPUT);
  assert.deepEqual(strict, { answer: '', start: 0, end: 0, score: one.score });
});

test('bad inputs are TaskInputErrors naming the input, before any model loads', async () => {
  const qa = Taskflow('question_answering', { taskPath: '/no/such/reader' });
  await assert.rejects(
    qa('长江在哪里？' as never),
    (e: Error) =>
      e instanceof TaskInputError &&
      e.message === 'Taskflow input must be an object { question, context }, got a string',
  );
  await assert.rejects(
    qa([INPUT, { question: '谁？' } as never]),
    (e: Error) =>
      e instanceof TaskInputError && e.message === 'Taskflow input [1].context must be a string, got nothing',
  );
  await assert.rejects(
    qa({ question: '  ', context: CONTEXT }),
    /Taskflow input\.question must be a non-empty string, got a blank string/,
  );
  await assert.rejects(qa(INPUT), (e: Error) => e instanceof BundleError && /\/no\/such\/reader/.test(e.message));
});

test('config round trip; modes', async () => {
  const config = QuestionAnsweringTask.configure({ batchSize: 4 });
  assert.deepEqual(config, { task: 'question_answering', mode: 'base', model: 'fewprompt-span-reader', batchSize: 4 });
  assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
  if (existsSync(join(SHIPPED_READER, 'qa.json')))
    assert.deepEqual((await QuestionAnsweringTask.fromConfig(config)).getConfig(), config);
  assert.throws(
    () => Taskflow('question_answering', { mode: 'closed_book' }),
    /unknown mode for task 'question_answering' 'closed_book'; valid: base/,
  );
});

test("the shipped reader answers with a span of its passage (pinned: the card's example)", async (ctx) => {
  if (!existsSync(join(SHIPPED_READER, 'qa.json'))) ctx.skip(`no shipped reader at ${SHIPPED_READER}`);
  const context = '长江发源于青藏高原的唐古拉山脉，自西向东流经十一个省级行政区，最后在上海注入东海。';
  const qa = Taskflow('question_answering');
  const answer = await qa({ question: '长江发源于哪里？', context });
  assert.equal(answer.answer, context.slice(answer.start, answer.end));
  // The card also reports this reader's miss on 长江在哪里注入东海？ (a long span ending in 上海注入东海).
  assert.equal(answer.answer, '青藏高原的唐古拉山脉');
  assert.ok(answer.score > 0.3 && answer.score < 0.7, String(answer.score));
});
