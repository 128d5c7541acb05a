import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { CheckpointError } from '../errors.js';
import type { HostTensor } from './host-tensor.js';
import { matchStateDict } from './match.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { findWeightFile, loadStateDict, saveStateDict } from './state-dict.js';

const TINY = new URL('./fixtures/tiny-bert', import.meta.url).pathname;
const SHARED_MODEL = new URL('../../../shared/models/zh-mini-starter', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'fewprompt-sd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fresh = (name: string) => {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
};
const reference = loadStateDict(TINY);

test('loads the fixture directory (model.safetensors first) with canonical keys', () => {
  assert.equal(findWeightFile(TINY), 'model.safetensors');
  assert.equal(reference.size, 45);
  assert.ok(reference.has('embeddings.word_embeddings.weight'));
  assert.ok(reference.has('encoder.layer.1.intermediate.dense.weight'));
  assert.ok(reference.has('cls.predictions.transform.LayerNorm.bias'));
  assert.ok(![...reference.keys()].some((k) => k.startsWith('bert.')));
});

test('pytorch_model.bin alone gives the same state dict', () => {
  const dir = fresh('bin');
  copyFileSync(join(TINY, 'pytorch_model.bin'), join(dir, 'pytorch_model.bin'));
  assert.deepEqual(loadStateDict(dir), reference);
});

test('sharded safetensors and sharded .bin (index.json + shards)', () => {
  const whole = readSafetensors(join(TINY, 'model.safetensors'));
  const entries = [...whole];
  const shards: [string, Map<string, HostTensor>][] = [
    ['model-00001-of-00002.safetensors', new Map(entries.slice(0, 20))],
    ['model-00002-of-00002.safetensors', new Map(entries.slice(20))],
  ];
  const dir = fresh('sharded');
  const weightMap: Record<string, string> = {};
  for (const [file, tensors] of shards) {
    writeSafetensors(join(dir, file), tensors);
    for (const key of tensors.keys()) weightMap[key] = file;
  }
  writeFileSync(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
  );
  assert.deepEqual(loadStateDict(dir), reference);

  const binDir = fresh('sharded-bin');
  copyFileSync(join(TINY, 'pytorch_model.bin'), join(binDir, 'pytorch_model-00001-of-00001.bin'));
  const binMap = Object.fromEntries(Object.keys(weightMap).map((k) => [k, 'pytorch_model-00001-of-00001.bin']));
  writeFileSync(join(binDir, 'pytorch_model.bin.index.json'), JSON.stringify({ weight_map: binMap }));
  assert.deepEqual(loadStateDict(binDir), reference);
});

test('bad shard indexes and empty directories are clear errors', () => {
  const bad = (name: string, weightMap: unknown, pattern: RegExp) => {
    const dir = fresh(name);
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
    assert.throws(
      () => loadStateDict(dir),
      (e: unknown) => e instanceof CheckpointError && pattern.test(e.message),
      name,
    );
  };
  bad(
    'missing-shard',
    { w: 'model-1.safetensors' },
    /shard model-1\.safetensors is missing \(holds 1 tensors, e\.g\. 'w'\)/,
  );
  bad('escape', { w: '../x.safetensors' }, /weight_map\['w'\] = "\.\.\/x\.safetensors" is not a file inside/);
  bad('no-map', undefined, /missing "weight_map" object/);
  const lacking = fresh('lacking');
  writeSafetensors(join(lacking, 's.safetensors'), new Map());
  writeFileSync(join(lacking, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { w: 's.safetensors' } }));
  assert.throws(() => loadStateDict(lacking), /s\.safetensors: lacks tensors the index puts there: w/);
  const empty = fresh('empty');
  writeFileSync(join(empty, 'config.json'), '{}');
  assert.throws(
    () => loadStateDict(empty),
    new RegExp(
      String.raw`no weights found; looked for model\.safetensors, .*pytorch_model\.bin\.index\.json; ` +
        String.raw`the directory holds config\.json`,
    ),
  );
});

test('saveStateDict writes BertForMaskedLM key names and loads back unchanged', () => {
  const dir = join(root, 'saved', 'nested');
  const path = saveStateDict(dir, reference);
  assert.equal(path, join(dir, 'model.safetensors'));
  const onDisk = readSafetensors(path);
  assert.ok(onDisk.has('bert.embeddings.word_embeddings.weight'));
  assert.ok(onDisk.has('bert.pooler.dense.weight'));
  assert.ok(onDisk.has('cls.predictions.bias'));
  assert.ok(!onDisk.has('bert.cls.predictions.bias'));
  assert.deepEqual(loadStateDict(dir), reference);
  const half = join(root, 'saved-f16');
  saveStateDict(half, reference, { dtype: 'F16' });
  const back = loadStateDict(half).get('embeddings.word_embeddings.weight');
  assert.deepEqual(back, reference.get('embeddings.word_embeddings.weight')); // stored as F16 in the fixture: exact
});

test('zh-mini-starter from ../shared loads and matches its config', (t) => {
  if (!existsSync(join(SHARED_MODEL, 'model.safetensors'))) {
    t.skip(`${SHARED_MODEL} not present (only in the dev checkout)`);
    return;
  }
  const sd = loadStateDict(SHARED_MODEL);
  const [V, H, I, P, L] = [21128, 256, 1024, 512, 4];
  const expected = new Map<string, number[]>([
    ['embeddings.word_embeddings.weight', [V, H]],
    ['embeddings.position_embeddings.weight', [P, H]],
    ['embeddings.token_type_embeddings.weight', [2, H]],
    ['embeddings.LayerNorm.weight', [H]],
    ['embeddings.LayerNorm.bias', [H]],
    ['pooler.dense.weight', [H, H]],
    ['pooler.dense.bias', [H]],
    ['cls.predictions.bias', [V]],
    ['cls.predictions.transform.dense.weight', [H, H]],
    ['cls.predictions.transform.dense.bias', [H]],
    ['cls.predictions.transform.LayerNorm.weight', [H]],
    ['cls.predictions.transform.LayerNorm.bias', [H]],
  ]);
  for (let l = 0; l < L; l++) {
    const p = `encoder.layer.${l}.`;
    for (const m of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      expected.set(`${p}${m}.weight`, [H, H]);
      expected.set(`${p}${m}.bias`, [H]);
    }
    expected.set(`${p}intermediate.dense.weight`, [I, H]).set(`${p}intermediate.dense.bias`, [I]);
    expected.set(`${p}output.dense.weight`, [H, I]).set(`${p}output.dense.bias`, [H]);
    for (const ln of ['attention.output.LayerNorm', 'output.LayerNorm'])
      expected.set(`${p}${ln}.weight`, [H]).set(`${p}${ln}.bias`, [H]);
  }
  matchStateDict(expected, sd);
  const gamma = sd.get('embeddings.LayerNorm.weight');
  assert.ok(gamma?.dtype === 'float32' && gamma.data.every(Number.isFinite));
});
