// Tests of lm-context.ts on the family's fixtures (the shared data's layout in miniature).
import { expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { posContexts, readContextModel } from './context-model.js';
import { buildContextModel, confusableGroups } from './lm-context.js';
import { buildCorrectionLm } from './lm-train.js';

const DATA = fileURLToPath(new URL('./fixtures', import.meta.url));

test('frequent training confusions form groups, joined where they share a character', () => {
  const pair = (source: string, target: string) => ({ id: source, source, target });
  const pairs = [
    pair('认真的学习', '认真地学习'),
    pair('认真的学习', '认真地学习'),
    pair('跑的很快', '跑得很快'),
    pair('跑的很快', '跑得很快'),
    pair('他是我妈妈', '她是我妈妈'),
    pair('他是老师', '她是老师'),
    pair('我在来', '我再来'), // once: below the cut
  ];
  const groups = confusableGroups(pairs, 2);
  expect(groups.map((g) => [...g].sort().join(''))).toEqual([
    [...'的地得'].sort().join(''),
    [...'他她'].sort().join(''),
  ]);
});

test('the context phase counts the corpus and the training split into a readable model', () => {
  const out = mkdtempSync(join(tmpdir(), 'csc-context-'));
  try {
    mkdirSync(join(out, 'corpus'));
    writeFileSync(join(out, 'corpus', 'a.txt'), '他认真地学习。\n我的书很好。\n他跑得很快。\n');
    const options = { out, data: DATA, maxCharsPerFile: 0, domainRepeat: 2, beta: 1, minCount: 1, chars: false };
    const { file, groups } = buildContextModel({ ...options, minPairCount: 1 });
    const model = readContextModel(readFileSync(file), file);
    expect(model.groups).toEqual(groups);
    expect(groups.some((g) => g.includes('的') && g.includes('得'))).toBe(true); // the fixture's 的 → 得 error
    expect(model.posMargin(posContexts('跑的很快'), Array.from('跑的很快'), 1, '得')).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'context.json'), 'utf8')).groups).toEqual(groups);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the recipe refuses a context phase without a file, and tuning without the model it names', async () => {
  const out = mkdtempSync(join(tmpdir(), 'csc-context-'));
  try {
    await expect(buildCorrectionLm({ out, phases: 'context', context: '' })).rejects.toThrow(/needs --context/);
    await expect(buildCorrectionLm({ out, phases: 'tune' })).rejects.toThrow(/context\.bin is missing/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
