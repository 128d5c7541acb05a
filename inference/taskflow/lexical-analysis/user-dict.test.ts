import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DataError } from '../../../framework/errors.js';
import { UserDict } from './user-dict.js';

test('parses pieces and tags, skips comments and untagged single characters', () => {
  const dict = new UserDict(['# comment', '', '春天/SEASON', '花 开/v', '好', '三亚市']);
  assert.equal(dict.size, 3);
  assert.deepEqual(
    dict.match([...'春天花开在三亚市']).map(([at, item]) => [at, item.phrase]),
    [
      [0, '春天'],
      [2, '花开'],
      [5, '三亚市'],
    ],
  );
});

test('leftmost-longest, non-overlapping matches', () => {
  const dict = new UserDict(['北京', '北京大学', '大学生']);
  assert.deepEqual(
    dict.match([...'北京大学生']).map(([at, item]) => [at, item.phrase]),
    [[0, '北京大学']],
  );
});

test('rewrites tags: one word per piece, given tags win, untagged pieces keep the model type', () => {
  const dict = new UserDict(['美丽 的/u', '城市/PLACE']);
  const tags: (string | undefined)[] = ['a-B', 'a-I', 'u-B', 'n-B', 'n-I'];
  dict.apply([...'美丽的城市'], tags);
  assert.deepEqual(tags, ['a-B', 'a-I', 'u-B', 'PLACE-B', 'PLACE-I']);
});

test('a bad tag is a DataError naming the line', () => {
  assert.throws(
    () => new UserDict(['好的/', '不好/a-b'], 'my.dic'),
    (e: Error) => e instanceof DataError && /my\.dic:2/.test(e.message),
  );
});
