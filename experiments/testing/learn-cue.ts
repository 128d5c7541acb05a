import assert from 'node:assert/strict';
import { tf } from '../../framework/backend/tf.js';
import { useBackend } from '../../framework/testing/backends.js';
import { createTinyModel, tinyTokenizer } from '../../framework/testing/tiny-bert.js';
import { evaluate } from '../../framework/trainer/evaluate.js';
import { Trainer } from '../../framework/trainer/trainer.js';
import type { Method, MethodBatch, MethodSetup } from '../methods/base.js';
import { SyntheticCueTask } from './synthetic-task.js';

/**
 * Trains `make(setup)` on the synthetic cue task from a tiny random BERT and returns test accuracy; asserts that
 * no tensors leaked.
 * @example
 * const accuracy = await learnCue((s) => new PetMethod(s), { rdropAlpha: 1 });
 * accuracy; // → 1 (any method that learns at all reaches ≥ 0.95)
 */
export async function learnCue(
  make: (setup: MethodSetup) => Method<MethodBatch>,
  options: { lr?: number; rdropAlpha?: number; epochs?: number } = {},
): Promise<number> {
  await useBackend('wasm');
  const tokenizer = tinyTokenizer();
  const task = new SyntheticCueTask({ train: 96, dev: 32, test_public: 64 });
  const before = tf.memory().numTensors;
  const model = createTinyModel(3);
  const method = make({
    model,
    tokenizer,
    task,
    maxSeqLen: 32,
    lr: options.lr ?? 3e-3,
    seed: 5,
    rdropAlpha: options.rdropAlpha,
  });
  await new Trainer(method, {
    epochs: options.epochs ?? 10,
    batchSize: 8,
    seed: 5,
    warmupRatio: 0.1,
    progress: false,
  }).fit(task.load('train'), task.load('dev'));
  const accuracy = evaluate(method, task.load('test_public'), 32).accuracy;
  method.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return accuracy;
}
