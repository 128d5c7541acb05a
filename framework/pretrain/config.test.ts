import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { PRETRAIN_DEFAULTS, PRETRAIN_SETTINGS, type PretrainConfigInput, resolvePretrainConfig } from './config.js';

const BASE = { corpus: [{ path: 'a.txt' }], out: 'runs/x', vocabFile: 'vocab.txt' };

test("the defaults derived from the table are the starter's recipe, as they were declared by hand", () => {
  assert.deepEqual(PRETRAIN_DEFAULTS, {
    vocab: 'bert',
    minCount: 1,
    model: { layers: 4, hidden: 256, heads: 4, ffn: 1024 },
    maxSeqLen: 128,
    batchSize: 32,
    lr: 5e-4,
    weightDecay: 0.01,
    warmupSteps: 300,
    schedule: 'linear',
    maxSteps: 10_000,
    checkpointMinutes: 10,
    evalEvery: 500,
    evalChunks: 200,
    heldoutPercent: 1,
    wwm: true,
    maskProbability: 0.15,
    maxGradNorm: 1,
    seed: 42,
    clean: { normalization: 'light', minChars: 5, maxChars: 100_000, dedupe: true, remove: [] },
    track: true,
    experimentName: 'pretrain',
    saveDtype: 'F32',
    logEvery: 10,
    workers: 1,
    gradientAccumulation: 1,
    objective: 'mlm',
    generatorHidden: 64,
    generatorLayers: 0,
    discriminatorWeight: 50,
  });
});

test('a config JSON round-trips through resolvePretrainConfig (the shipped recipes and every setting changed)', () => {
  for (const file of ['scripts/pretrain-zh-mini.json', 'scripts/pretrain-zh-v2.json']) {
    const input = JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as PretrainConfigInput;
    const config = resolvePretrainConfig(input, file);
    assert.deepEqual(resolvePretrainConfig(JSON.parse(JSON.stringify(config))), config, file);
    for (const [key, value] of Object.entries(input)) assert.deepEqual(config[key as keyof typeof config], value, key);
  }
  const changed: PretrainConfigInput = {
    ...BASE,
    init: 'models/m',
    vocab: 'corpus',
    minCount: 2,
    model: { layers: 2, hidden: 64, heads: 2, ffn: 128 },
    maxSeqLen: 64,
    batchSize: 8,
    lr: 1e-4,
    weightDecay: 0,
    warmupSteps: 0,
    schedule: 'cosine',
    maxSteps: 7,
    maxMinutes: 1.5,
    checkpointMinutes: 2,
    evalEvery: 3,
    evalChunks: 4,
    heldoutPercent: 0,
    wwm: false,
    maskProbability: 0.2,
    maxGradNorm: 0.5,
    seed: 7,
    clean: { normalization: 'nfkc', minChars: 0, maxChars: 50, dedupe: false, remove: ['#idiom#'] },
    maxDocuments: 9,
    track: false,
    experimentName: 'e',
    saveDtype: 'F16',
    logEvery: 5,
    workers: 1,
    gradientAccumulation: 2,
    objective: 'electra',
    generatorHidden: 128,
    generatorLayers: 1,
    discriminatorWeight: 20,
  };
  const config = resolvePretrainConfig(JSON.parse(JSON.stringify(changed)));
  assert.deepEqual(config, changed);
  const declared = Object.keys(PRETRAIN_SETTINGS).map((k) => k.split('.')[0]);
  for (const key of Object.keys(config)) assert.ok(key === 'corpus' || declared.includes(key), `${key} declared`);
});

test('a setting out of its declaration, or fields that do not fit together, is a ConfigError naming them', () => {
  const wrong = (input: PretrainConfigInput, message: RegExp) =>
    assert.throws(
      () => resolvePretrainConfig({ ...BASE, ...input }, 'run.json'),
      (e: Error) => {
        return e instanceof ConfigError && message.test(e.message);
      },
    );
  wrong({ lr: 0 }, /^run\.json: lr must be > 0, got 0$/);
  wrong({ maxSeqLen: 1024 }, /^run\.json: maxSeqLen must be in \[8, 512\], got 1024$/);
  wrong({ model: { layers: 0 } }, /^run\.json: model\.layers must be a positive integer, got 0$/);
  wrong({ schedule: 'step' as 'linear' }, /schedule must be one of linear, cosine, constant; got 'step'/);
  wrong({ clean: { normalization: 'nfd' as 'nfkc' } }, /clean\.normalization must be one of light, nfkc, none/);
  wrong({ saveDtype: 'BF16' as 'F16' }, /saveDtype must be one of F32, F16; got 'BF16'/);
  wrong(JSON.parse('{ "batchSize": "32" }') as PretrainConfigInput, /batchSize must be a number, got '32'/);
  wrong({ model: { hidden: 100, heads: 3 } }, /model\.hidden 100 is not divisible by model\.heads 3/);
  wrong({ batchSize: 6, gradientAccumulation: 4 }, /batchSize 6 must be a multiple of gradientAccumulation 4/);
  wrong({ out: undefined }, /out \(output directory\) is required/);
  wrong({ vocabFile: undefined }, /give init \(a starting model\) or vocabFile/);
  wrong({ corpus: [{ path: 'a.txt', weight: -1 }] }, /corpus entry 'a\.txt': weight must be a number ≥ 0, got -1/);
});
