import { test } from 'vitest';
import assert from 'node:assert/strict';
import { PRETRAIN_SETTINGS, resolvePretrainConfig } from '../../framework/pretrain/config.js';
import { type Setting, settingFlag } from '../../framework/settings.js';
import { pretrainCommand, pretrainInputFromFlags, probeFromFlag } from './pretrain.js';

/** `--help` with each wrapped help line joined back onto its row. */
const help = pretrainCommand.usage.replace(/\n {28}/g, ' ');
const BASE = ['--corpus', 'a.txt', '--out', 'runs/x', '--vocab-file', 'vocab.txt'];

/** A flag value other than the default that fits the setting, and what it becomes in the config. */
function changed(s: Setting): [string | undefined, unknown] {
  if (s.type === 'boolean') return [undefined, s.default !== true];
  if (s.type === 'strings') return ['x', ['x']];
  if (s.choices) {
    const other = s.choices.find((c) => c !== s.default)!;
    return [other, other];
  }
  if (s.type === 'string') return ['v', 'v'];
  const n = typeof s.default === 'number' ? s.default * 2 : 3; // twice: model.hidden stays divisible by heads
  return [String(n), n];
}

test('every declared setting is in `fewprompt pretrain --help` with its default and its config key', () => {
  for (const [key, s] of Object.entries(PRETRAIN_SETTINGS) as [string, Setting][]) {
    const flag = settingFlag(key, s);
    const head = new RegExp(`^  ${flag === undefined ? key : `--${flag}`}(?![\\w-])`);
    const row = help.split('\n').find((line) => head.test(line));
    assert.ok(row, `--help has a row for ${key}`);
    const shown = s.default === true ? 'on' : Array.isArray(s.default) ? 'none' : s.default;
    if (shown !== undefined) assert.ok(row.includes(`(default ${String(shown)}`), `${key}: default in ${row}`);
    if (flag !== undefined) assert.ok(row.includes(`config ${key})`), `${key}: config key in ${row}`);
  }
});

test('every setting with a flag reaches its config field from the command line', () => {
  for (const [key, s] of Object.entries(PRETRAIN_SETTINGS) as [string, Setting][]) {
    const flag = settingFlag(key, s);
    if (flag === undefined || key === 'out') continue;
    const [value, expected] = changed(s);
    const args = value === undefined ? [`--${expected ? '' : 'no-'}${flag}`] : [`--${flag}`, value];
    const config = resolvePretrainConfig(pretrainInputFromFlags([...BASE, ...args]), 'flags');
    const got = key.split('.').reduce<unknown>((o, part) => (o as Record<string, unknown>)[part], config);
    assert.deepEqual(got, expected, `${args.join(' ')} → ${key}`);
  }
});

test('flags map onto the nested config by their old names; only the flags given are set', () => {
  const input = pretrainInputFromFlags([
    ...['--layers', '2', '--min-chars', '3', '--remove', '#a#', '--remove', '#b#', '--normalization', 'none'],
    ...['--warmup', '10', '--experiment', 'e', '--grad-accum', '2', '--no-wwm', '--no-track', '--max-minutes', '5'],
  ]);
  assert.deepEqual(input, {
    model: { layers: 2 },
    clean: { minChars: 3, remove: ['#a#', '#b#'], normalization: 'none' },
    warmupSteps: 10,
    experimentName: 'e',
    gradientAccumulation: 2,
    wwm: false,
    track: false,
    maxMinutes: 5,
  });
  assert.throws(() => pretrainInputFromFlags(['--schedule', 'step']), /--schedule must be one of linear, cosine/);
  assert.throws(() => pretrainInputFromFlags(['--lr', 'fast']), /--lr must be a number, got 'fast'/);
});

test("--probe without FEWCLUE_DIR names pretrain's flag, --probe-data-dir (not train's --data-dir)", async (t) => {
  const saved = process.env['FEWCLUE_DIR'];
  delete process.env['FEWCLUE_DIR'];
  t.onTestFinished(() => {
    if (saved !== undefined) process.env['FEWCLUE_DIR'] = saved;
  });
  await assert.rejects(probeFromFlag('bustm', undefined), /pass --probe-data-dir <FewCLUE root> \(dataDir\) or set/);
});
