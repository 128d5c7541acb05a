import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { tf } from '../backend/tf.js';
import { CheckpointError } from '../errors.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { AdamW } from '../optim/adamw.js';
import { useBackend } from '../testing/backends.js';
import { BertModel } from './bert.js';
import { loadPretrained, savePretrained } from './pretrained.js';

const TINY = fileURLToPath(new URL('./fixtures/tiny-bert', import.meta.url));

test('save in Hugging Face layout and load back: same config, same weights', async () => {
  await useBackend('cpu');
  const { model } = await loadPretrained(TINY);
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-save-'));
  savePretrained(model, dir);
  const { model: again } = await loadPretrained(dir);
  assert.deepEqual(again.config, model.config);
  const a = model.stateDict();
  const b = again.stateDict();
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, t] of a) assert.deepEqual(b.get(k)!.data, t.data, k);
  const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(saved['hidden_size'], 32);
  model.dispose();
  again.dispose();
});

test('a checkpoint that does not fit the config is refused whole, with every bad key listed', async () => {
  await useBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-bad-'));
  const config = JSON.parse(readFileSync(join(TINY, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, intermediate_size: 48, num_hidden_layers: 3 }));
  copyFileSync(join(TINY, 'model.safetensors'), join(dir, 'model.safetensors'));
  const before = tf.memory().numTensors;
  await assert.rejects(loadPretrained(dir), (error: unknown) => {
    assert.ok(error instanceof CheckpointError);
    assert.match(error.message, /nothing was loaded/);
    assert.match(error.message, /missing keys \(16\): encoder\.layer\.2\./);
    assert.match(error.message, /encoder\.layer\.0\.intermediate\.dense\.weight: expected \[48,32\], got \[64,32\]/);
    return true;
  });
  assert.equal(tf.memory().numTensors, before, 'a refused load leaves no tensors behind');
});

test('no tensor leaks: live tensor count is flat across 20 training steps (wasm)', async () => {
  await useBackend('wasm');
  const { model } = await loadPretrained(TINY);
  model.train();
  const opt = new AdamW(model.params.decayGroups(1e-3, 0.01), { maxGradNorm: 1 });
  const inputIds = tf.tensor2d(
    [
      [2, 10, 4, 12, 3],
      [2, 30, 31, 4, 3],
    ],
    [2, 5],
    'int32',
  );
  const positions = tf.tensor1d([2, 8], 'int32');
  const labels = tf.tensor1d([11, 32], 'int32');
  const counts: number[] = [];
  const losses: number[] = [];
  for (let step = 0; step < 20; step++) {
    const { value, grads } = tf.variableGrads(() => {
      const hidden = model.encode({ inputIds }, { seed: step });
      return softmaxCrossEntropy(model.mlmLogits(BertModel.gatherPositions(hidden, positions)), labels) as tf.Scalar;
    });
    opt.step(grads, 1);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
    counts.push(tf.memory().numTensors);
  }
  assert.ok(
    counts.slice(1).every((c) => c === counts[1]),
    `tensor counts drift: ${counts.join(', ')}`,
  );
  assert.ok(losses[19]! < losses[0]! * 0.5, `training should fit two masked tokens: ${losses[0]} → ${losses[19]}`);
  tf.dispose([inputIds, positions, labels]);
  opt.dispose();
  model.dispose();
});
