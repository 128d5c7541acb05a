import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { test } from 'vitest';
import { tinyGptDir } from './tiny-gpt.fixture.js';
import { PoetryGenerationTask, SHIPPED_POETRY_MODEL } from './task.js';

test(`poetry_generation on a tiny model: {text, answer} per text, deterministic in every mode, config round \
trip`, async () => {
  const dir = await tinyGptDir();
  try {
    for (const mode of Object.keys(PoetryGenerationTask.modes)) {
      const config = PoetryGenerationTask.configure({ taskPath: dir, mode, batchSize: 2 });
      const task = await PoetryGenerationTask.fromConfig(config);
      const out = await task.run(['深山不见人', '', '床前明月光', '白日']);
      assert.deepEqual(
        out.map((o) => o.text),
        ['深山不见人', '', '床前明月光', '白日'],
      );
      assert.equal(out[1]!.answer, '');
      assert.ok(
        out.every((o, i) => i === 1 || o.answer.length > 0),
        mode,
      );
      assert.deepEqual(
        await (await PoetryGenerationTask.fromConfig(task.getConfig())).run(['深山不见人', '', '床前明月光', '白日']),
        out,
        `${mode}: not deterministic`,
      );
      assert.equal(task.args.eosTokenId, 5, 'stops at 。');
      assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
    }
    assert.throws(
      () => PoetryGenerationTask.configure({ mode: 'creative' }),
      /unknown mode for task 'poetry_generation' 'creative'; valid: sampling, beam_search, greedy/,
    );
    await assert.rejects(
      PoetryGenerationTask.fromConfig(PoetryGenerationTask.configure({ taskPath: `${dir}-missing` })),
      /no model directory at .*-missing \(no config\.json\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('shipped model: the seed example gets a 5-character line with its punctuation', async (ctx) => {
  if (!existsSync(SHIPPED_POETRY_MODEL)) ctx.skip(`needs ${SHIPPED_POETRY_MODEL}`);
  const task = await PoetryGenerationTask.fromConfig(PoetryGenerationTask.configure({}));
  const [out] = await task.run(['深山不见人']);
  assert.equal(out!.text, '深山不见人');
  assert.match(out!.answer, /^，[\u4e00-\u9fff]{5}。$/u);
});
