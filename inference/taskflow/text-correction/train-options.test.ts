import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../framework/errors.js';
import { buildCorrectionLm } from './lm-train.js';
import {
  LM_PHASES,
  phaseList,
  resolveCorrectionLmOptions,
  resolveTextCorrectionOptions,
  TRAIN_PHASES,
} from './train-options.js';

test('both recipes fill their defaults from their tables; a precision outside the choices is refused', () => {
  const network = resolveTextCorrectionOptions({ maxSteps: 40 });
  assert.equal(network.maxSteps, 40);
  assert.equal(network.batchSize, 32);
  assert.equal(network.phases, 'train,export,eval');
  assert.equal(network.bundle, undefined);
  assert.equal(resolveCorrectionLmOptions().order, 3);
  assert.throws(() => resolveTextCorrectionOptions({ precision: 'fp8' as 'int8' }), ConfigError);
});

test('phases are checked against the recipe, and the n-gram recipe refuses an order it cannot run', async () => {
  assert.deepEqual(phaseList('export,eval', TRAIN_PHASES), ['export', 'eval']);
  assert.throws(() => phaseList('train,tune', TRAIN_PHASES), /--phases: unknown tune; valid: train, export, eval/);
  assert.deepEqual(phaseList('corpus,build', LM_PHASES), ['corpus', 'build']);
  await assert.rejects(buildCorrectionLm({ phases: 'eval' }), /eval needs tune too/);
  await assert.rejects(buildCorrectionLm({ phases: 'build', bundle: 'B' }), /--bundle needs the tune phase/);
  await assert.rejects(buildCorrectionLm({ phases: 'build', minCounts: '1,0' }), /--min-counts must be positive/);
});
