import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { saveTinyModel } from '../../framework/testing/tiny-bert.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('every numbered example runs end to end on a tiny random model', async () => {
  const dir = await saveTinyModel({ seed: 1 });
  const examples = readdirSync(HERE)
    .filter((f) => /^\d\d-.*\.ts$/.test(f))
    .sort();
  assert.ok(examples.length >= 4, `expected at least 4 examples, found ${examples.join(', ')}`);
  for (const file of examples) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, file)], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        FEWPROMPT_MODEL: dir,
        FEWPROMPT_EXAMPLE_MAX_STEPS: '2',
        FEWPROMPT_EXAMPLE_TEST_LIMIT: '8',
        FEWPROMPT_LOG: 'warn',
      },
    });
    assert.equal(run.status, 0, `${file} failed:\n${run.stderr.slice(-2000)}`);
    assert.match(run.stdout, /accuracy:\s+[01](\.\d+)?/, `${file} printed no accuracy:\n${run.stdout}`);
  }
});
