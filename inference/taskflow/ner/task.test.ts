import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '../../../framework/checkpoint/safetensors.js';
import { BundleError, ConfigError } from '../../../framework/errors.js';
import { saveTinyModel, TINY_DECISIVE_CONFIG } from '../../../framework/testing/tiny-bert.js';
import { exportTokenBundle } from './bundle.js';
import { bioTags } from './bio.js';
import { SHIPPED_NER_ACCURATE_MODEL } from './task.js';
import { Taskflow } from '../index.js';

test('accurate mode through taskPath: [span, type] pairs whose spans are substrings of the text', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fewprompt-ner-task-'));
  try {
    const run = join(root, 'run');
    await saveTinyModel({ dir: join(run, 'model'), seed: 7, config: TINY_DECISIVE_CONFIG });
    const tags = bioTags(['name', 'address']);
    const h = TINY_DECISIVE_CONFIG.hiddenSize;
    // A tag layer that favours B-name / I-name strongly enough that random features still produce entities.
    const w = Float32Array.from({ length: h * tags.length }, (_, i) => Math.sin(i * 1.3));
    const b = Float32Array.from(tags, (t) => (t === 'O' ? -1 : t.endsWith('name') ? 1 : 0));
    writeSafetensors(
      join(run, 'method.safetensors'),
      new Map([
        ['method.classifier.weight', { dtype: 'float32', shape: [h, tags.length], data: w }],
        ['method.classifier.bias', { dtype: 'float32', shape: [tags.length], data: b }],
      ]),
    );
    writeFileSync(join(run, 'method.json'), JSON.stringify({ kind: 'token-classification', tags, maxSeqLen: 16 }));
    await exportTokenBundle(run, join(root, 'bundle'), { precision: 'int8' });
    const flow = Taskflow('ner', { mode: 'accurate', taskPath: join(root, 'bundle') });
    const text = '彭小军认为，国内银行现在走的是台湾的发卡模式，先通过跑马圈地再在圈的地里面选择客户。';
    const [one, empty] = await flow([text, '']);
    assert.deepEqual(empty, []);
    assert.ok(one!.length > 0);
    for (const [span, type] of one!) {
      assert.ok(text.includes(span), span);
      assert.ok(type === 'name' || type === 'address');
    }
    // A user dictionary: its entities retype the spans the model found; a type the bundle lacks is refused.
    const [alone] = await flow([text]); // the same batch as below: INT8 activations are quantised per batch
    const [span, type] = alone![0]!;
    const other = type === 'name' ? 'address' : 'name';
    const withDict = Taskflow('ner', {
      mode: 'accurate',
      taskPath: join(root, 'bundle'),
      userDict: [`${span}/${other}`],
    });
    const [retyped] = await withDict([text]);
    assert.deepEqual(retyped![0], [span, other]);
    // Every span of that text is the user's type, and nothing the model found is lost.
    assert.ok(retyped!.filter(([s]) => s === span).every(([, t]) => t === other));
    assert.ok(retyped!.length >= alone!.length);
    await withDict.close();
    await assert.rejects(
      Taskflow('ner', { mode: 'accurate', taskPath: join(root, 'bundle'), userDict: ['台湾/LOC'] })('好'),
      (e: Error) =>
        e instanceof ConfigError && /^userDict:1: expected '实体\/类型' with a type of name, address/.test(e.message),
    );
    await assert.rejects(
      Taskflow('ner', { mode: 'accurate', taskPath: join(root, 'nowhere') })('好'),
      (e: Error) => e instanceof BundleError && /no model bundle at/.test(e.message),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('shipped accurate model: what it answers', async (ctx) => {
  if (!existsSync(join(SHIPPED_NER_ACCURATE_MODEL, 'bundle.json'))) ctx.skip('models/taskflow/ner is not installed');
  // The examples of its MODEL_CARD.md: people and places found; the company span runs on over the department
  // (CLUENER's gold company is 浙商银行); the lexicon adds 博士, a position in most of CLUENER's sentences.
  const flow = Taskflow('ner', { mode: 'accurate' });
  assert.deepEqual(
    await flow([
      '浙商银行企业信贷部叶老桂博士则从另一个角度对五道门槛进行了解读',
      '李小龙在1970年去了香港。',
      '彭小军认为，国内银行现在走的是台湾的发卡模式',
    ]),
    [
      [
        ['浙商银行企业信贷部', 'company'],
        ['叶老桂', 'name'],
        ['博士', 'position'],
      ],
      [
        ['李小龙', 'name'],
        ['香港', 'address'],
      ],
      [
        ['彭小军', 'name'],
        ['台湾', 'address'],
      ],
    ],
  );
  await flow.close();
});
