import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '../../framework/errors.js';
import { CustomTask } from '../custom-task.js';
import { chnSentiCorpTask } from './chnsenticorp.js';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const SHARED = '../shared/sentiment';

test('loads the three parts with labels 0/1 and round-trips its config', () => {
  const task = chnSentiCorpTask(FIXTURES);
  assert.deepEqual(task.labels, ['0', '1']);
  assert.deepEqual(task.labelNames, { 0: 'negative', 1: 'positive' });
  const test0 = task.load('test_public');
  assert.equal(test0.length, 6);
  assert.deepEqual(test0[3], {
    id: 5,
    fields: { text_a: '这个宾馆比较陈旧了，特价的房间也很一般。总体来说一般' },
    label: '1',
  });
  assert.equal(task.load('train').length, 6);
  assert.equal(task.load('dev').length, 6);
  assert.deepEqual(CustomTask.fromConfig(task.getConfig()).getConfig(), task.getConfig());
});

test('a bad label names the file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chnsenticorp-'));
  writeFileSync(join(dir, 'chnsenticorp_train.tsv'), 'label\ttext_a\n1\t好\n2\t差\n');
  assert.throws(
    () => chnSentiCorpTask(dir).load('train'),
    (e: Error) => e instanceof DataError && /chnsenticorp_train\.tsv:3/.test(e.message),
  );
});

test('ChnSentiCorp from ../shared: 9,600 / 1,200 / 1,200', (ctx) => {
  if (!existsSync(SHARED)) ctx.skip(`${SHARED} not present (shared data is not part of a clone)`);
  const task = chnSentiCorpTask(SHARED);
  assert.deepEqual(
    [task.load('train').length, task.load('dev').length, task.load('test_public').length],
    [9600, 1200, 1200],
  );
});
