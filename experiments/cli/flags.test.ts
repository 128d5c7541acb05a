import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../framework/errors.js';
import { suiteInputFromFlags } from './fewclue.js';
import { numberFlag, optionalNumberFlag } from './flags.js';
import { configFromFlags } from './train.js';

test('number flags: parsed, absent, or a ConfigError naming the flag and value', () => {
  assert.equal(optionalNumberFlag({ lr: '2e-4' }, 'lr'), 2e-4);
  assert.equal(optionalNumberFlag({}, 'lr'), undefined);
  assert.throws(() => optionalNumberFlag({ lr: 'fast' }, 'lr'), (e: Error) => e instanceof ConfigError && e.message === "--lr must be a number, got 'fast'");
  assert.throws(() => optionalNumberFlag({ lr: ' ' }, 'lr'), ConfigError);
  assert.equal(numberFlag({ 'max-steps': '60' }, 'max-steps'), 60);
  assert.throws(() => numberFlag({}, 'max-steps'), /--max-steps is required/);
});

test('fewclue flags: train options pass through to every run, --no-predict-test included', () => {
  const input = suiteInputFromFlags({ tasks: 'eprstmt,csl', 'max-steps': '60', 'no-predict-test': true, 'no-track': true });
  assert.deepEqual(input, { out: 'runs/fewclue', tasks: ['eprstmt', 'csl'], train: { maxSteps: 60, predictTest: false }, track: false });
  assert.deepEqual(configFromFlags({ task: 'tnews' }), { task: 'tnews' });
});
