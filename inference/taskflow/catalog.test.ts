import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { BundleError } from '../../framework/errors.js';
import { taskModelDir } from './base.js';
import { isTaskName, TASK_CATALOG, TASK_NAMES, taskModesHelp } from './catalog.js';
import { TASKS } from './index.js';

test("the light catalog names the registry's tasks, in its order, with the same modes and default modes", () => {
  assert.deepEqual(
    TASK_NAMES,
    TASKS.map((t) => t.kind),
  );
  for (const t of TASKS) {
    const info = TASK_CATALOG[t.kind];
    assert.deepEqual(t.modes, info.modes, t.kind);
    assert.equal(t.configure({}).mode, info.defaultMode, t.kind);
  }
  assert.ok(isTaskName('ner') && !isTaskName('toString'));
  assert.equal(taskModesHelp()[2], 'ner (modes: fast, accurate)');
});

test('the catalog imports nothing (the CLI reads it for --help without loading a task)', () => {
  const source = readFileSync(new URL('./catalog.ts', import.meta.url), 'utf8');
  assert.doesNotMatch(source, /^\s*(import|export .* from)\b/m);
});

test('a shipped model that is not installed is one line saying where to get it', () => {
  const model = {
    task: 'sentiment_analysis',
    path: 'models/taskflow/not-there',
    marker: 'bundle.json',
    what: 'model bundle',
    makeOne: "a bundle from 'fewprompt export'",
  };
  assert.throws(
    () => taskModelDir(model, undefined),
    (e: Error) =>
      e instanceof BundleError &&
      !e.message.includes('\n') &&
      /^sentiment_analysis: model not installed \(no bundle\.json in .*models\/taskflow\/not-there\)/.test(e.message) &&
      /copy models\/taskflow\/not-there\/ there from the fewprompt git repository/.test(e.message),
  );
  assert.throws(
    () => taskModelDir(model, '/nowhere'),
    /sentiment_analysis: no model bundle at \/nowhere \(no bundle\.json\); taskPath takes a bundle from/,
  );
});
