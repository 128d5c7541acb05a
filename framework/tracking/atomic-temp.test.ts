import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'vitest';
import { atomicTempPath, writeFileAtomic } from './file-store-layout.js';

test('temp files of tags, params, metrics stage outside those folders (no phantom tag after a crash)', async () => {
  const run = join('mlruns', '0', 'abc');
  for (const kind of ['tags', 'params', 'metrics']) {
    const tmp = atomicTempPath(join(run, kind, 'mlflow.runName'));
    assert.equal(dirname(tmp), run, kind);
    assert.ok(basename(tmp).startsWith(`.${kind}-mlflow.runName.`) && tmp.endsWith('.tmp'), tmp);
  }
  assert.equal(dirname(atomicTempPath(join(run, 'params', 'nested', 'lr'))), run, "a name with '/' nests");
  assert.equal(dirname(atomicTempPath(join(run, 'meta.yaml'))), run, 'other files stage beside themselves');

  const dir = await mkdtemp(join(tmpdir(), 'fewprompt-atomic-'));
  try {
    await mkdir(join(dir, 'tags'));
    await writeFileAtomic(join(dir, 'tags', 'note'), 'hello');
    assert.deepEqual(await readdir(join(dir, 'tags')), ['note']);
    assert.deepEqual((await readdir(dir)).sort(), ['tags']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
