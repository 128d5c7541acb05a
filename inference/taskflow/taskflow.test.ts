import { test } from 'vitest';
import assert from 'node:assert/strict';
import { TaskInputError, UnknownKindError } from '../../framework/errors.js';
import { NerTask, PosTaggingTask, Taskflow, taskNames, WordSegmentationTask, type TaskOutput } from './index.js';

const SEED = '三亚是一个美丽的城市';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

test('result types are inferred from the task name', () => {
  const seg: Equal<TaskOutput<'word_segmentation'>, string[]> = true;
  const pos: Equal<TaskOutput<'pos_tagging'>, [string, string][]> = true;
  const ner: Equal<TaskOutput<'ner'>, [string, string][]> = true;
  // Compiled, not run: a string gives one result, an array one per text.
  const calls = async (): Promise<[string[], string[][], [string, string][]]> => [
    await Taskflow('word_segmentation')('x'),
    await Taskflow('word_segmentation')(['x']),
    await Taskflow('pos_tagging')('x'),
  ];
  assert.ok(seg && pos && ner && typeof calls === 'function');
});

test('an array gives one result per text; empty and blank texts give []', async () => {
  assert.deepEqual(await Taskflow('word_segmentation')([SEED, '', '   ']), [
    ['三亚', '是', '一个', '美丽', '的', '城市'],
    [],
    [],
  ]);
  assert.deepEqual(await Taskflow('word_segmentation')([]), []);
});

test('bad input and bad names fail clearly', async () => {
  const seg = Taskflow('word_segmentation');
  const call = seg as (input: unknown) => Promise<unknown>;
  await assert.rejects(
    call(42),
    (e: Error) =>
      e instanceof TaskInputError && /a number \(42\); expected a string or an array of strings/.test(e.message),
  );
  await assert.rejects(call(['ok', null]), /input \[1\] is null/);
  await assert.rejects(call(undefined), TaskInputError);
  const anyTask = Taskflow as (task: string, options?: object) => unknown;
  assert.throws(
    () => anyTask('sentiment'),
    (e: Error) => e instanceof UnknownKindError && /valid: word_segmentation, pos_tagging, ner/.test(e.message),
  );
  assert.throws(
    () => Taskflow('ner', { mode: 'precise' }),
    /unknown mode for task 'ner' 'precise'; valid: fast, accurate/,
  );
  assert.throws(() => Taskflow('pos_tagging', { model: 'wordtag' }), /valid: lac/);
  assert.throws(() => Taskflow('word_segmentation', { batchSize: 0 }), /batchSize must be a positive integer/);
});

test('config round trip for every registered task', async () => {
  assert.deepEqual(taskNames(), [
    'word_segmentation',
    'pos_tagging',
    'ner',
    'text_correction',
    'dependency_parsing',
    'sentiment_analysis',
    'poetry_generation',
    'question_answering',
  ]);
  for (const [cls, options] of [
    [WordSegmentationTask, { mode: 'fast' }],
    [PosTaggingTask, { batchSize: 4 }],
    [NerTask, { entityOnly: true }],
  ] as const) {
    const config = cls.configure(options);
    const task = await cls.fromConfig(config);
    assert.deepEqual((await cls.fromConfig(task.getConfig())).getConfig(), config);
    assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
  }
  assert.deepEqual(Taskflow('word_segmentation').config, {
    task: 'word_segmentation',
    mode: 'base',
    model: 'lac',
    batchSize: 32,
  });
});
