import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadPretrained } from '../model/pretrained.js';
import { useBackend } from '../testing/backends.js';
import { BertTokenizer } from '../tokenizer/index.js';
import { fillMask } from './fill-mask.js';

const STARTER = fileURLToPath(new URL('../../../shared/models/zh-mini-starter', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../model/fixtures/zh-mini-starter-fill-mask.json', import.meta.url));
const TINY = fileURLToPath(new URL('../model/fixtures/tiny-bert', import.meta.url));

interface Reference {
  text: string;
  top: { token: string; token_id: number; score: number }[];
}

test('fill-mask on the real zh-mini-starter weights (F16) matches the PyTorch reference within 1e-4', async (t) => {
  if (!existsSync(STARTER)) {
    t.skip(`../shared/models/zh-mini-starter not present (${STARTER})`);
    return;
  }
  await useBackend('wasm');
  const { model, dir } = await loadPretrained(STARTER);
  const tokenizer = await BertTokenizer.fromPretrained(dir);
  const reference = JSON.parse(readFileSync(REFERENCE, 'utf8')) as Reference[];
  for (const ref of reference) {
    const [ours] = fillMask(model, tokenizer, ref.text, 5);
    assert.ok(ours);
    assert.deepEqual(
      ours.map((c) => c.token_id),
      ref.top.map((c) => c.token_id),
      ref.text,
    );
    ours.forEach((c, i) =>
      assert.ok(Math.abs(c.score - ref.top[i]!.score) < 1e-4, `${ref.text} #${i}: ${c.score} vs ${ref.top[i]!.score}`),
    );
  }
  model.dispose();
});

test('fill-mask returns one ranked list per mask, scores summing ≤ 1, and rejects text without a mask', async () => {
  await useBackend('cpu');
  const { model, dir } = await loadPretrained(TINY);
  const tokenizer = await BertTokenizer.fromPretrained(dir);
  const results = fillMask(model, tokenizer, '一[MASK]丁[MASK]', 4);
  assert.equal(results.length, 2);
  for (const list of results) {
    assert.equal(list.length, 4);
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.score >= list[i]!.score);
    assert.ok(list.reduce((s, c) => s + c.score, 0) <= 1 + 1e-6);
    for (const c of list) assert.equal(tokenizer.idToToken(c.token_id), c.token);
  }
  assert.throws(() => fillMask(model, tokenizer, '一丁', 3), /no \[MASK\]/);
  model.dispose();
});
