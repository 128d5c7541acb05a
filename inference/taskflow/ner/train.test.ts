import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../../../framework/backend/tf.js';
import { ConfigError } from '../../../framework/errors.js';
import { saveTinyModel, TINY_DECISIVE_CONFIG } from '../../../framework/testing/tiny-bert.js';
import { Taskflow } from '../index.js';
import { bioTags } from './bio.js';
import { CLUENER_TYPES } from './cluener.js';
import { LEXICON_FILE } from './lexicon.js';
import { trainNer } from './train.js';
import { NER_SETTINGS, resolveNerTrainOptions } from './train-options.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/cluener_dev_head.json', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fewprompt-ner-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("options: the table's defaults fill what is not given; a negative LAC tag width is refused", async () => {
  const o = resolveNerTrainOptions({ maxSteps: 500, msraSteps: 250 });
  assert.equal(o.maxSteps, 500);
  assert.equal(o.msraSteps, 250);
  for (const [key, setting] of Object.entries(NER_SETTINGS))
    if (key !== 'maxSteps' && key !== 'msraSteps')
      assert.deepEqual((o as Record<string, unknown>)[key], 'default' in setting ? setting.default : undefined, key);
  await assert.rejects(
    trainNer({ lacTagSize: -1, out: join(root, 'refused') }),
    (e: Error) => e instanceof ConfigError && /lacTagSize must be a non-negative integer, got -1/.test(e.message),
  );
});

test('recipe on the fixtures: MSRA, then CLUENER; the run, both bundles, dev scores; fromCheckpoint', async () => {
  const model = await saveTinyModel({ dir: join(root, 'tiny'), seed: 7, config: TINY_DECISIVE_CONFIG });
  const msra = join(root, 'msra.txt');
  const sentence = (chars: string, tags: string[]) => [...chars].map((c, i) => `${c}\t${tags[i]}`).join('\n');
  writeFileSync(
    msra,
    `${sentence('我在北京见到王小明', ['O', 'O', 'B-LOC', 'I-LOC', 'O', 'O', 'B-PER', 'I-PER', 'I-PER'])}\n\n` +
      `${sentence('新华社北京电', ['B-ORG', 'I-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'O'])}\n`,
  );
  const out = join(root, 'run');
  const common = { train: FIXTURE, dev: FIXTURE, model, out, msra, batchSize: 4, lacTagSize: 8 } as const;
  const tensorsBefore = tf.memory().numTensors;
  const lines: string[] = [];
  const r = await trainNer({ ...common, maxSteps: 2, msraSteps: 2, checkpointEvery: 1 }, { log: (m) => lines.push(m) });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the recipe disposes its encoder and both tag layers');
  assert.equal(r.steps, 2);
  assert.ok(
    lines.some((l) => /MSRA: 2 steps on 2 of 2 pieces/.test(l)),
    lines.join('\n'),
  );
  assert.deepEqual(Object.keys(r.dev).sort(), [
    'fp32',
    'fp32-argmax',
    'fp32-no-lexicon',
    'int8',
    'int8-argmax',
    'int8-no-lexicon',
  ]);
  assert.ok(existsSync(join(r.bundle, LEXICON_FILE)), 'the shipped kind of bundle carries the lexicon');
  assert.ok(lines.some((l) => /entity lexicon: \d+ strings from \d+ training sentences/.test(l)));
  for (const s of Object.values(r.dev)) assert.ok(s.gold === 12 && s.f1 >= 0 && s.f1 <= 1, JSON.stringify(s));

  const spec = JSON.parse(readFileSync(join(out, 'method.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(spec['kind'], 'token-classification');
  assert.deepEqual(spec['tags'], bioTags(CLUENER_TYPES));
  assert.equal((spec['lacTags'] as { size: number }).size, 8);
  for (const file of ['history.json', 'history-msra.json', 'metrics.json', 'bundle-fp32/bundle.json'])
    assert.ok(existsSync(join(out, file)), file);
  const manifest = JSON.parse(readFileSync(join(r.bundle, 'bundle.json'), 'utf8')) as {
    model: { precision: string };
    source: { metrics?: { steps: number; msra?: { steps: number } } };
  };
  assert.equal(manifest.model.precision, 'int8');
  assert.equal(manifest.source.metrics?.steps, 2, 'the shipped kind of bundle carries the run metrics');
  assert.equal(manifest.source.metrics?.msra?.steps, 2);

  // The bundle is what Taskflow('ner', { mode: 'accurate' }) loads.
  const flow = Taskflow('ner', { mode: 'accurate', taskPath: r.bundle });
  const text = '浙商银行企业信贷部叶老桂博士';
  for (const [span, type] of await flow(text)) assert.ok(text.includes(span) && CLUENER_TYPES.includes(type as 'name'));
  await flow.close();

  // Cut short: finish from the last checkpoint, without training.
  const again = await trainNer({ ...common, maxSteps: 2, fromCheckpoint: true });
  assert.equal(again.steps, 2);
  assert.deepEqual(again.dev['int8'], { ...r.dev['int8']!, seconds: again.dev['int8']!.seconds });

  // addLexicon: the lexicon into an existing bundle, scored with and without it; nothing trained.
  const target = join(root, 'target');
  cpSync(r.bundle, target, { recursive: true });
  rmSync(join(target, LEXICON_FILE));
  const added = await trainNer({ train: FIXTURE, dev: FIXTURE, addLexicon: target });
  assert.equal(added.steps, 0);
  assert.deepEqual(Object.keys(added.dev).sort(), ['int8', 'int8-argmax', 'int8-no-lexicon']);
  assert.deepEqual(
    readFileSync(join(target, LEXICON_FILE), 'utf8'),
    readFileSync(join(r.bundle, LEXICON_FILE), 'utf8'),
  );
  assert.deepEqual(added.dev['int8']!.f1, r.dev['int8']!.f1);
  await assert.rejects(
    trainNer({ train: FIXTURE, dev: FIXTURE, addLexicon: join(root, 'nowhere') }),
    (e: Error) => e instanceof ConfigError && /addLexicon: .*nowhere\/bundle\.json does not exist/.test(e.message),
  );
});
