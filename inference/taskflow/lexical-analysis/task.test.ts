import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Taskflow } from '../index.js';

const SEED = '三亚是一个美丽的城市';
const SHARED_LAC = '../shared/models/lac_small';

test('seed examples: word_segmentation and pos_tagging', async () => {
  assert.deepEqual(await Taskflow('word_segmentation')(SEED), ['三亚', '是', '一个', '美丽', '的', '城市']);
  assert.deepEqual(await Taskflow('pos_tagging')(SEED), [
    ['三亚', 'LOC'],
    ['是', 'v'],
    ['一个', 'm'],
    ['美丽', 'a'],
    ['的', 'u'],
    ['城市', 'n'],
  ]);
});

test('fast mode (jieba) and its user dictionary', async () => {
  assert.deepEqual(await Taskflow('word_segmentation', { mode: 'fast' })(SEED), [
    '三亚',
    '是',
    '一个',
    '美丽',
    '的',
    '城市',
  ]);
  assert.deepEqual(await Taskflow('word_segmentation', { mode: 'fast', userDict: ['美丽的城市'] })(SEED), [
    '三亚',
    '是',
    '一个',
    '美丽的城市',
  ]);
  assert.deepEqual(await Taskflow('word_segmentation', { mode: 'fast' })(' a  b '), ['a', 'b']);
});

test('ner: fast mode keeps POS words; entityOnly keeps entities', async () => {
  assert.deepEqual(await Taskflow('ner')(SEED), await Taskflow('pos_tagging')(SEED));
  assert.deepEqual(await Taskflow('ner', { entityOnly: true })('李小龙在1970年去了香港。'), [
    ['李小龙', 'PER'],
    ['1970年', 'TIME'],
    ['香港', 'LOC'],
  ]);
});

test('user dictionary in LAC mode', async () => {
  assert.deepEqual(await Taskflow('pos_tagging', { userDict: ['美丽的城市/SCENE'] })(SEED), [
    ['三亚', 'LOC'],
    ['是', 'v'],
    ['一个', 'm'],
    ['美丽的城市', 'SCENE'],
  ]);
});

test('taskPath in PaddlePaddle layout is converted once into homePath', async (ctx) => {
  if (!existsSync(SHARED_LAC)) ctx.skip(`needs ${SHARED_LAC}`);
  const home = mkdtempSync(join(tmpdir(), 'fewprompt-home-'));
  try {
    assert.deepEqual(await Taskflow('word_segmentation', { taskPath: SHARED_LAC, homePath: home })(SEED), [
      '三亚',
      '是',
      '一个',
      '美丽',
      '的',
      '城市',
    ]);
    assert.ok(existsSync(join(home, 'taskflow', 'lac')));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('worker threads change nothing in the output, and close() ends them', async () => {
  const texts = Array.from({ length: 40 }, (_, i) => `${SEED}，李小龙在${1960 + i}年去了香港。`.slice(i % 7));
  const serial = Taskflow('pos_tagging', { workers: 0, batchSize: 8 });
  const parallel = Taskflow('pos_tagging', { workers: 2, batchSize: 8 });
  assert.deepEqual(await parallel(texts), await serial(texts));
  await parallel.close();
  assert.deepEqual(await parallel(texts.slice(0, 3)), await serial(texts.slice(0, 3)));
  await Taskflow('ner').close(); // never loaded: nothing to end
});
