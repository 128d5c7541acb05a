import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { writeFileAtomic } from './atomic.js';

test('writeFileAtomic writes the bytes and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-atomic-'));
  writeFileAtomic(join(dir, 'x.bin'), [new Uint8Array([1, 2]), new Uint8Array([3])]);
  assert.deepEqual([...readFileSync(join(dir, 'x.bin'))], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ['x.bin']);
});

test('a failed write names the target file, not the hidden temporary one', () => {
  const target = join(mkdtempSync(join(tmpdir(), 'fewprompt-atomic-')), 'missing-dir', 'model.safetensors');
  assert.throws(
    () => writeFileAtomic(target, [new Uint8Array([1])]),
    (error: NodeJS.ErrnoException) => error.code === 'ENOENT' && error.path === target,
  );
  assert.equal(existsSync(target), false);
});
