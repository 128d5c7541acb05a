import assert from 'node:assert/strict';
import { test } from 'vitest';
import { tf } from '../backend/tf.js';
import { initBackend } from '../backend/select.js';
import { BERT_DEFAULTS } from '../model/config.js';
import { DataParallel } from './data-parallel.js';
import { createReplica, type MlmReplicaSpec, type MlmShard } from './mlm-replica.js';

const spec: MlmReplicaSpec = {
  config: {
    ...BERT_DEFAULTS,
    vocabSize: 50,
    hiddenSize: 16,
    numHiddenLayers: 1,
    numAttentionHeads: 2,
    intermediateSize: 32,
    maxPositionEmbeddings: 16,
    hiddenDropoutProb: 0,
    attentionProbsDropoutProb: 0,
  },
  seed: 3,
};
const shardA: MlmShard = {
  batch: 2,
  seq: 6,
  inputIds: [2, 5, 4, 7, 8, 3, 2, 9, 10, 4, 11, 3],
  positions: [2, 9],
  labels: [6, 12],
};
const shardB: MlmShard = {
  batch: 1,
  seq: 6,
  inputIds: [2, 4, 4, 13, 14, 3],
  positions: [1, 2, 4],
  labels: [20, 21, 22],
};

test('two workers give the gradient of the whole batch (weighted by masked tokens)', async () => {
  process.env.FEWPROMPT_BACKEND = 'wasm';
  await initBackend();
  const dp = await DataParallel.create<MlmReplicaSpec, MlmShard>({
    module: new URL('./mlm-replica.ts', import.meta.url).href,
    spec,
    workers: 2,
  });
  try {
    const { loss, grads } = await dp.gradients([shardA, shardB], 1);
    // Reference: one replica on this thread, the two shards as one batch (padded to one length).
    const single = await createReplica(spec);
    const whole: MlmShard = {
      batch: 3,
      seq: 6,
      inputIds: [...shardA.inputIds, ...shardB.inputIds],
      positions: [...shardA.positions, ...shardB.positions.map((p) => p + 12)],
      labels: [...shardA.labels, ...shardB.labels],
    };
    const vars = single.variables();
    const { value, grads: ref } = tf.variableGrads(
      () => single.loss(whole, 0),
      vars.map((v) => v.variable),
    );
    assert.ok(Math.abs(loss - value.dataSync()[0]!) < 1e-5, `loss ${loss} vs ${value.dataSync()[0]}`);
    dp.replica.variables().forEach(({ name, variable }, i) => {
      const got = grads[variable.name]!.dataSync();
      const want = ref[vars[i]!.variable.name]?.dataSync();
      if (!want) return;
      for (let j = 0; j < got.length; j++)
        assert.ok(Math.abs(got[j]! - want[j]!) < 1e-5, `${name}[${j}]: ${got[j]} vs ${want[j]}`);
    });
    tf.dispose([value, ...Object.values(ref), ...Object.values(grads)]);
    single.dispose();
  } finally {
    await dp.close();
    delete process.env.FEWPROMPT_BACKEND;
  }
});
