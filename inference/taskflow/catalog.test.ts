import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { BundleError } from '../../framework/errors.js';
import { staticImportClosure } from '../../framework/testing/static-imports.js';
import { taskConfig, taskModelDir } from './base.js';
import { isTaskName, taskflowTasks, taskHelpRows, taskNames } from './catalog.js';
import type { TaskClass } from './family.js';
import { FAMILIES } from './families.js';

test("each built-in task class agrees with its family's descriptor: kind, modes and default mode", async () => {
  assert.deepEqual(
    taskNames(),
    FAMILIES.flatMap((f) => f.tasks.map((t) => t.kind)),
  );
  for (const info of taskflowTasks()) {
    const cls = (await info.load()) as TaskClass & { kind: string; modes: object; configure(options: object): unknown };
    assert.equal(cls.kind, info.kind);
    assert.deepEqual(cls.modes, info.modes, info.kind);
    assert.deepEqual(cls.configure({}), taskConfig(info, {}), info.kind);
  }
  assert.ok(isTaskName('ner') && !isTaskName('toString'));
  assert.deepEqual(taskHelpRows()[2], {
    head: 'ner',
    help: "[span, type] pairs (fast: LAC's PER/LOC/ORG/TIME; accurate: ten CLUENER2020 types); modes: fast, accurate",
  });
});

test('the catalog and every family descriptor load no package and no task or recipe code (--help reads them)', () => {
  const { modules, packages } = staticImportClosure(fileURLToPath(new URL('./catalog.ts', import.meta.url)));
  assert.deepEqual([...packages.keys()], []);
  const here = fileURLToPath(new URL('.', import.meta.url));
  const loaded = [...modules].map((m) => relative(here, m));
  for (const family of FAMILIES) assert.ok(loaded.includes(`${family.name}/family.ts`), family.name);
  assert.deepEqual(
    loaded.filter((m) => /(^|\/)(task|train|lm-train|word-segmentation|pos-tagging|index|taskflow)\.ts$/.test(m)),
    [],
  );
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
