import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { test } from 'vitest';
import { configFromFlags, TRAIN_FLAGS } from '../cli/train.js';
import { EXPERIMENT_DEFAULTS, parseExperimentConfig } from './experiment.js';
import { cliOptions, EXPERIMENT_OPTIONS, optionHelp } from './options.js';

const flags = (args: string[]) => configFromFlags(parseArgs({ args, options: TRAIN_FLAGS, strict: true }).values);

test('every option is in the schema, its default validates, and a parsed config carries every default', () => {
  const config = parseExperimentConfig({ task: 'eprstmt' });
  for (const [name, option] of Object.entries(EXPERIMENT_OPTIONS)) {
    if ('default' in option) {
      assert.equal((config as Record<string, unknown>)[name], option.default, name);
      assert.doesNotThrow(() => parseExperimentConfig({ task: 'eprstmt', [name]: option.default }), name);
    } else assert.equal((config as Record<string, unknown>)[name], undefined, name);
  }
  assert.deepEqual(
    Object.keys(EXPERIMENT_DEFAULTS).sort(),
    Object.keys(config)
      .filter((k) => k !== 'task')
      .sort(),
  );
  assert.throws(() => parseExperimentConfig({ task: 'eprstmt', warp: 1 }), /warp/);
});

test('every option with a flag reaches its config field from the command line, and --help lists it', () => {
  const help = optionHelp();
  for (const o of cliOptions()) {
    assert.ok(help.includes(`--${o.flag}`), `--help lists --${o.flag}`);
    const value = o.kind === 'number' ? '3' : o.kind === 'json' ? '{"a":["b"]}' : 'v';
    const args = o.kind === 'negated-switch' ? [`--${o.flag}`] : [`--${o.flag}`, value];
    const expected =
      o.kind === 'negated-switch' ? false : o.kind === 'number' ? 3 : o.kind === 'json' ? { a: ['b'] } : 'v';
    assert.deepEqual(flags(args)[o.field], expected, `--${o.flag}`);
  }
  assert.deepEqual(flags(['--rdrop', '0.1', '--grad-accum', '2']), { rdropAlpha: 0.1, gradientAccumulation: 2 });
  assert.throws(() => flags(['--lr', 'fast']), /--lr must be a number, got 'fast'/);
  assert.throws(() => flags(['--label-words', '{nope']), /--label-words must be JSON/);
  assert.throws(() => parseExperimentConfig({ task: 'eprstmt', ...flags(['--split', '9']) }, 'flags'), /split/);
});
