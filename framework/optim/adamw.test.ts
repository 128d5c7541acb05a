import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { tf, type Tensor } from '../backend/tf.js';
import { readSafetensors } from '../checkpoint/safetensors.js';
import { BertModel } from '../model/bert.js';
import { readBertConfig } from '../model/config.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { useBackend } from '../testing/backends.js';
import { AdamW } from './adamw.js';
import { GradientAccumulator } from './accumulate.js';
import { lrSchedule } from './schedule.js';

const FIXTURES = fileURLToPath(new URL('../model/fixtures/', import.meta.url));

function ints(t: ReturnType<typeof readSafetensors> extends Map<string, infer V> ? V : never): Tensor {
  return tf.tensor(
    Int32Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x)),
    t.shape,
    'int32',
  );
}

for (const stateOn of ['device', 'host'] as const)
  test(`AdamW (moments on ${stateOn}) + warm-up/decay schedule + clipping match torch.optim.AdamW over 5 \
steps`, async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const config = readBertConfig(`${FIXTURES}tiny-bert`);
    const weights = new Map(
      [...readSafetensors(`${FIXTURES}tiny-bert/model.safetensors`)].map(([k, v]) => [k.replace(/^bert\./, ''), v]),
    );
    const ref = readSafetensors(`${FIXTURES}tiny-bert-reference.safetensors`);
    const get = (k: string) => {
      const t = ref.get(k);
      assert.ok(t, k);
      return t;
    };
    const model = BertModel.fromStateDict(config, weights);
    const inputs = {
      inputIds: ints(get('input_ids')),
      tokenTypeIds: ints(get('token_type_ids')),
      attentionMask: ints(get('attention_mask')),
    };
    const labelsGrid = ints(get('labels'));
    const labels = tf.reshape(labelsGrid, [-1]);
    const opt = new AdamW(model.params.decayGroups(1e-2, 0.01), { eps: 1e-6, maxGradNorm: 1, stateOn });
    const schedule = lrSchedule({ kind: 'linear', warmupSteps: 2, totalSteps: 10 });
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      const { value, grads } = tf.variableGrads(() => {
        const hidden = model.encode(inputs, { training: false });
        return softmaxCrossEntropy(model.mlmLogits(tf.reshape(hidden, [-1, config.hiddenSize])), labels) as tf.Scalar;
      });
      losses.push(value.dataSync()[0]!);
      opt.step(grads, schedule(step));
      tf.dispose([value, ...Object.values(grads)]);
    }
    const refLosses = get('adamw.losses').data as Float32Array;
    losses.forEach((l, i) => assert.ok(Math.abs(l - refLosses[i]!) < 1e-3, `step ${i} loss ${l} vs ${refLosses[i]}`));
    const after = model.stateDict();
    for (const [name, t] of after) {
      const want = get(`adamw.${name}`).data as Float32Array;
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(t.data[i]! - want[i]!));
      assert.ok(worst < 1e-4, `${name} after 5 AdamW steps differs by ${worst}`);
    }
    tf.dispose([inputs.inputIds, inputs.tokenTypeIds, inputs.attentionMask, labels, labelsGrid]);
    opt.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

test('lrSchedule: linear and cosine with warm-up', () => {
  const linear = lrSchedule({ kind: 'linear', warmupSteps: 2, totalSteps: 10 });
  assert.deepEqual([0, 1, 2, 6, 10, 12].map(linear), [0, 0.5, 1, 0.5, 0, 0]);
  const cosine = lrSchedule({ kind: 'cosine', warmupSteps: 0, totalSteps: 4 });
  assert.ok(Math.abs(cosine(2) - 0.5) < 1e-12);
  assert.equal(cosine(4), 0);
  assert.throws(() => lrSchedule({ kind: 'linear', warmupSteps: -1, totalSteps: 1 }), /warmupSteps/);
});

test('GradientAccumulator averages micro-batch gradients without leaking', async () => {
  await useBackend('cpu');
  const before = tf.memory().numTensors;
  const acc = new GradientAccumulator();
  acc.add({ w: tf.tensor([1, 2]) });
  acc.add({ w: tf.tensor([3, 6]) });
  const mean = acc.mean();
  assert.deepEqual([...mean['w']!.dataSync()], [2, 4]);
  tf.dispose(Object.values(mean));
  assert.equal(tf.memory().numTensors, before);
});
