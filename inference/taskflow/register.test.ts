import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError, UnknownKindError } from '../../framework/errors.js';
import { findTaskflowRecipe, isTaskName, registerTaskflowFamily, taskHelpRows, taskNames } from './catalog.js';
import { CHAR_COUNT_FAMILY, type CharCountTask } from './char-count.fixture.js';
import type { TaskflowTask } from './family.js';
import { Taskflow, type TaskInput, type TaskOutput } from './index.js';

// What a program that registers a family adds for Taskflow()'s types (users augment 'fewprompt/taskflow').
declare module './families.js' {
  interface CustomTaskflowTasks {
    char_count: typeof CharCountTask;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

test('a family registered from a test file runs through Taskflow(), typed, and leaves when unregistered', async () => {
  assert.throws(() => Taskflow('char_count'), /unknown Taskflow task 'char_count'; valid: word_segmentation, /);
  const unregister = registerTaskflowFamily(CHAR_COUNT_FAMILY);
  try {
    const typed: [Equal<TaskOutput<'char_count'>, number>, Equal<TaskInput<'char_count'>, string>] = [true, true];
    const count = Taskflow('char_count');
    assert.equal(await count('三亚是一个美丽的城市'), 10);
    assert.deepEqual(await count(['三亚', '', 'ab']), [2, 0, 2]);
    assert.deepEqual(await Taskflow('char_count', { mode: 'bytes' })(['三亚', 'ab']), [6, 2]);
    assert.deepEqual(count.config, { task: 'char_count', mode: 'chars', model: 'none', batchSize: 32 });
    await assert.rejects((count as (input: unknown) => Promise<unknown>)(7), /a number \(7\); expected a string/);
    assert.throws(() => Taskflow('char_count', { mode: 'words' }), /mode for task 'char_count' 'words'; valid: chars/);
    assert.ok(typed.every(Boolean) && isTaskName('char_count') && taskNames().at(-1) === 'char_count');
    assert.deepEqual(taskHelpRows().at(-1), {
      head: 'char_count',
      help: 'characters per text (a toy family registered by the tests); modes: chars, bytes',
    });
    const recipe = findTaskflowRecipe('char_count');
    assert.equal(recipe.family, 'char-count');
    assert.equal(
      recipe.report(await recipe.train({ times: 2 }, { sentimentMethod: () => assert.fail() })),
      'char_count → 20 characters',
    );
  } finally {
    unregister();
  }
  assert.ok(!isTaskName('char_count'));
  assert.throws(() => findTaskflowRecipe('char_count'), UnknownKindError);
});

test('a malformed family or a kind already taken is a ConfigError that says which', () => {
  const before = taskNames();
  const task = CHAR_COUNT_FAMILY.tasks[0] as TaskflowTask;
  const register = registerTaskflowFamily as (family: object) => unknown; // what a JavaScript caller may pass
  const family = (tasks: readonly object[], more: object = {}) => ({ name: 'toy', tasks, ...more });
  const refused: [object, RegExp][] = [
    [{ name: '', tasks: [] }, /a family needs a name/],
    [family([{ ...task, kind: 'Char-Count' }]), /task kind 'Char-Count' of family 'toy' must be a lower-case word/],
    [family([{ ...task, modes: {} }]), /task 'char_count' needs modes: mode → model name, at least one/],
    [family([{ ...task, defaultMode: 'words' }]), /default mode 'words' is not one of its modes \(chars, bytes\)/],
    [family([{ ...task, load: undefined }]), /task 'char_count' needs load\(\)/],
    [family([], { recipes: [{ ...CHAR_COUNT_FAMILY.recipes[0], report: 1 }] }), /needs train\(\) and report\(\)/],
    [family([{ ...task, kind: 'ner' }]), /Taskflow task 'ner' is already registered/],
    [family([task, task]), /Taskflow task 'char_count' is already registered/],
    [
      family([], { recipes: [{ ...CHAR_COUNT_FAMILY.recipes[0], kind: 'text_correction_lm' }] }),
      /recipe 'text_correction_lm' is already/,
    ],
    [family([task], { name: 'lexical-analysis' }), /family 'lexical-analysis' is already registered/],
  ];
  for (const [bad, message] of refused)
    assert.throws(
      () => register(bad),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
    );
  assert.deepEqual(taskNames(), before);
});
