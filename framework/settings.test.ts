import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';
import {
  helpLines,
  resolveSettings,
  resolveSettingsInput,
  settingFlag,
  settingsArgOptions,
  settingsFromArgs,
  settingsHelp,
} from './settings.js';

const TABLE = {
  maxSeqLen: { type: 'integer', min: 8, max: 512, default: 128, help: 'tokens per row' },
  lr: { type: 'number', above: 0, default: 5e-4, help: 'learning rate' },
  precision: { type: 'string', choices: ['fp32', 'fp16'], default: 'fp32', help: 'weights' },
  files: { type: 'strings', arg: 'FILE', default: ['a.txt'], help: 'inputs; repeatable' },
  resume: { type: 'boolean', default: false, help: 'continue' },
  wwm: { type: 'boolean', default: true, help: 'whole-word masking' },
  out: { type: 'string', arg: 'DIR', help: 'where to write' },
  'model.layers': { type: 'integer', min: 1, default: 4, help: 'layers' },
  workers: { type: 'integer', min: 1, default: 1, flag: 'data-parallel', help: 'replicas' },
  dedupe: { type: 'boolean', default: true, flag: false, help: 'drop duplicates' },
} as const;

const fromArgs = (args: string[]) =>
  settingsFromArgs(TABLE, parseArgs({ args, options: settingsArgOptions(TABLE), strict: true }).values);

test('resolve: defaults fill in, nested keys nest, given values win, unknown keys are left out', () => {
  const resolved = resolveSettingsInput(TABLE, { lr: 1e-3, model: { layers: 2 }, extra: 1 });
  assert.deepEqual(resolved, {
    maxSeqLen: 128,
    lr: 1e-3,
    precision: 'fp32',
    files: ['a.txt'],
    resume: false,
    wwm: true,
    model: { layers: 2 },
    workers: 1,
    dedupe: true,
  });
  const flat = resolveSettings({ epochs: { type: 'number', default: 3, help: '' } } as const, {});
  assert.equal(flat.epochs, 3);
});

test('resolve: a value that does not fit its declaration is a one-line ConfigError naming the key', () => {
  const wrong = (input: unknown, message: string, source?: string) =>
    assert.throws(
      () => resolveSettingsInput(TABLE, input, source),
      (e: Error) => e instanceof ConfigError && e.message === message,
    );
  wrong({ maxSeqLen: 4 }, 'maxSeqLen must be in [8, 512], got 4');
  wrong({ maxSeqLen: 64.5 }, 'maxSeqLen must be an integer, got 64.5');
  wrong({ lr: 0 }, 'lr must be > 0, got 0');
  wrong({ lr: '1e-4' }, "lr must be a number, got '1e-4'");
  wrong({ precision: 'fp8' }, "precision must be one of fp32, fp16; got 'fp8'");
  wrong({ files: 'a.txt' }, 'files must be a list of strings');
  wrong({ wwm: 'yes' }, "wwm must be a boolean, got 'yes'");
  wrong({ model: { layers: 0 } }, 'run.json: model.layers must be a positive integer, got 0', 'run.json');
});

test('flags: kebab-case from the key (its last part), overrides, --no-x beside a default-true switch', () => {
  assert.equal(settingFlag('model.maxSeqLen', TABLE.maxSeqLen), 'max-seq-len');
  assert.equal(settingFlag('dedupe', TABLE.dedupe), undefined);
  assert.deepEqual(Object.keys(settingsArgOptions(TABLE)), [
    'max-seq-len',
    'lr',
    'precision',
    'files',
    'resume',
    'wwm',
    'no-wwm',
    'out',
    'layers',
    'data-parallel',
  ]);
  assert.deepEqual(
    fromArgs(['--max-seq-len', '64', '--files', 'x', '--files', 'y', '--no-wwm', '--layers', '2', '--resume']),
    { maxSeqLen: 64, files: ['x', 'y'], resume: true, wwm: false, model: { layers: 2 } },
  );
  assert.deepEqual(fromArgs(['--data-parallel', '2', '--wwm']), { wwm: true, workers: 2 });
  assert.deepEqual(fromArgs([]), {}, 'absent flags stay absent, so a config file keeps its values');
  assert.throws(() => fromArgs(['--lr', 'fast']), /^ConfigError: --lr must be a number, got 'fast'$/);
  assert.throws(() => fromArgs(['--precision', 'fp8']), /--precision must be one of fp32, fp16; got 'fp8'/);
  assert.throws(() => fromArgs(['--wwm', '--no-wwm']), /give --wwm or --no-wwm, not both/);
  assert.throws(() => fromArgs(['--dedupe']), /Unknown option '--dedupe'/);
});

test('help: one row per flag with its argument and default; with keys, config keys and config-only rows', () => {
  const rows = settingsHelp(TABLE);
  assert.deepEqual(rows.slice(0, 6), [
    { head: '--max-seq-len N', help: 'tokens per row (default 128)' },
    { head: '--lr X', help: 'learning rate (default 0.0005)' },
    { head: '--precision fp32|fp16', help: 'weights (default fp32)' },
    { head: '--files FILE', help: 'inputs; repeatable (default a.txt)' },
    { head: '--resume', help: 'continue' },
    { head: '--wwm, --no-wwm', help: 'whole-word masking (default on)' },
  ]);
  assert.equal(rows.length, 9);
  const keyed = settingsHelp(TABLE, { keys: true });
  assert.deepEqual(keyed.at(-2), { head: '--data-parallel N', help: 'replicas (default 1; config workers)' });
  assert.deepEqual(keyed.at(-1), { head: 'dedupe', help: 'drop duplicates (default on; config file only)' });
  assert.equal(
    helpLines([{ head: '--out DIR', help: 'where to write' }]),
    `  --out DIR${' '.repeat(17)}where to write`,
  );
});
