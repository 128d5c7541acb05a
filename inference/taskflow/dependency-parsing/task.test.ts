import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError, TaskInputError } from '../../../framework/errors.js';
import { DependencyParsingTask, SHIPPED_PARSER } from './task.js';
import { Taskflow, type TaskOutput } from '../index.js';

const SEED = '百度是一家高科技公司';
const shipped = existsSync(join(SHIPPED_PARSER, 'parser.json'));
const skip = shipped
  ? false
  : `no shipped parser at ${SHIPPED_PARSER} (train it with fewprompt taskflow-train dependency_parsing)`;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

function isTree(heads: readonly number[]): boolean {
  if (heads.filter((h) => h === 0).length !== 1) return false;
  return heads.every((_, i) => {
    let x = i + 1;
    for (let k = 0; k <= heads.length && x !== 0; k++) x = heads[x - 1]!;
    return x === 0;
  });
}

test('the result type is inferred from the task name', () => {
  const ok: Equal<TaskOutput<'dependency_parsing'>, { word: string[]; head: number[]; deprel: string[] }> = true;
  assert.ok(ok);
});

test("seed example: LAC words, one tree, UD relations (the shipped model's answer)", async (ctx) => {
  if (skip) ctx.skip(skip);
  const dp = Taskflow('dependency_parsing');
  const result = await dp(SEED);
  assert.deepEqual(result.word, ['百度', '是', '一家', '高科技', '公司']);
  assert.equal(result.head.length, 5);
  assert.equal(result.deprel.length, 5);
  assert.ok(isTree(result.head), `not a tree: ${result.head.join(',')}`);
  // What the shipped model answers (model card): UD's analysis, rooted at 公司 with 是 as its copula
  // (PaddleNLP's DDParser, on another treebank convention, roots it at 是).
  assert.deepEqual(result.head, [5, 5, 5, 5, 0]);
  assert.deepEqual(result.deprel, ['nsubj', 'cop', 'nummod', 'nmod', 'root']);
  const labels = (
    JSON.parse(readFileSync(join(SHIPPED_PARSER, 'parser.json'), 'utf8')) as { head: { labels: string[] } }
  ).head.labels;
  assert.ok(
    result.deprel.every((l) => labels.includes(l)),
    result.deprel.join(','),
  );
  await dp.close();
});

test('an array gives one parse per text; every parse is a tree; empty text gives empty lists', async (ctx) => {
  if (skip) ctx.skip(skip);
  const texts = ['三亚是一个美丽的城市', '李小龙在1970年去了香港。', '', '我爱北京天安门，天安门上太阳升。'];
  const results = await Taskflow('dependency_parsing', { batchSize: 2 })(texts);
  assert.equal(results.length, 4);
  assert.deepEqual(results[2], { word: [], head: [], deprel: [] });
  for (const r of [results[0]!, results[1]!, results[3]!]) {
    assert.equal(r.head.length, r.word.length);
    assert.ok(isTree(r.head), `${r.word.join(' ')}: ${r.head.join(',')}`);
  }
  assert.deepEqual(results[0]!.word, ['三亚', '是', '一个', '美丽', '的', '城市']);
});

test('fromSegments parses words as given, the same as through LAC', async (ctx) => {
  if (skip) ctx.skip(skip);
  const task = await DependencyParsingTask.fromConfig(DependencyParsingTask.configure({}));
  const [fromWords] = await task.fromSegments([['百度', '是', '一家', '高科技', '公司']]);
  assert.deepEqual(fromWords, (await task.run([SEED]))[0]);
  const [custom] = await task.fromSegments([['百度', '是', '一家', '高', '科技', '公司']]);
  assert.equal(custom!.head.length, 6);
  assert.ok(isTree(custom!.head));
  await assert.rejects(
    task.fromSegments([['百度', '']]),
    (e: Error) => e instanceof TaskInputError && /segments\[0\]\[1\] must be a non-empty string/.test(e.message),
  );
  await task.close();
});

test('config round trip; a missing bundle is a BundleError naming the path', async () => {
  const config = DependencyParsingTask.configure({ batchSize: 4 });
  assert.deepEqual(config, { task: 'dependency_parsing', mode: 'base', model: 'biaffine-gsd', batchSize: 4 });
  assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
  if (shipped) assert.deepEqual((await DependencyParsingTask.fromConfig(config)).getConfig(), config);
  await assert.rejects(
    DependencyParsingTask.fromConfig(DependencyParsingTask.configure({ taskPath: '/no/such/parser' })),
    (e: Error) => e instanceof BundleError && /\/no\/such\/parser/.test(e.message),
  );
  assert.throws(
    () => Taskflow('dependency_parsing', { mode: 'fast' }),
    /unknown mode for task 'dependency_parsing' 'fast'; valid: base/,
  );
});
