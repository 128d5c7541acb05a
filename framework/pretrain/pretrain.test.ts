import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { tf } from '../backend/tf.js';
import { loadStateDict } from '../checkpoint/state-dict.js';
import { useBackend } from '../testing/backends.js';
import { resolvePretrainConfig, type PretrainConfig } from './config.js';
import { pretrain } from './pretrain.js';
import { shardBatch } from './objective.js';
import { BertModel } from '../model/bert.js';
import { BERT_DEFAULTS } from '../model/config.js';
import { mlmLossAndGrads, splitBatch } from './batch.js';
import { GradientSum } from '../trainer/gradient-sum.js';
import { SeededRandom } from '../random.js';
import { SPECIAL_TOKENS, writeVocab } from './vocab.js';

const root = mkdtempSync(join(tmpdir(), 'pretrain-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A tiny corpus over 60 characters, so the vocabulary (65 entries) and model stay tiny.
const CHARS = [
  ...'的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都',
];
const rng = new SeededRandom(3);
const lines = Array.from({ length: 120 }, () =>
  Array.from({ length: 8 + rng.int(20) }, () => CHARS[rng.int(CHARS.length)]).join(''),
);
writeFileSync(join(root, 'corpus.txt'), `${lines.join('\n')}\n`);
writeVocab(join(root, 'vocab.txt'), [...SPECIAL_TOKENS, ...CHARS]);

function config(out: string, extra: Partial<PretrainConfig> = {}): PretrainConfig {
  return resolvePretrainConfig({
    corpus: [{ path: join(root, 'corpus.txt') }],
    out: join(root, out),
    vocabFile: join(root, 'vocab.txt'),
    model: { layers: 2, hidden: 32, heads: 2, ffn: 64 },
    maxSeqLen: 16,
    batchSize: 4,
    maxSteps: 6,
    warmupSteps: 2,
    lr: 1e-3,
    evalEvery: 3,
    evalChunks: 8,
    heldoutPercent: 5,
    checkpointMinutes: 1e6,
    track: false,
    logEvery: 2,
    ...extra,
  });
}

/** Runs `NAME-straight` and `NAME-resumed` (halted after step 2, then resumed) and checks the losses match. */
async function assertResumeExact(name: string, extra: Partial<PretrainConfig>): Promise<void> {
  const straight = await pretrain(config(`${name}-straight`, extra), { progress: false });
  assert.ok(straight.completed && straight.losses.every(Number.isFinite));
  const first = await pretrain(config(`${name}-resumed`, extra), {
    progress: false,
    onStep: (step: number) => (step >= 2 ? 'stop' : undefined),
  });
  const second = await pretrain(config(`${name}-resumed`, extra), { progress: false, resume: true });
  assert.deepEqual([...first.losses, ...second.losses], straight.losses);
}

for (const backend of ['cpu', 'wasm', 'native'] as const) {
  test(`an interrupted and resumed run ends exactly where the straight run does (${backend})`, async () => {
    await useBackend(backend);
    const straight = await pretrain(config(`straight-${backend}`), { progress: false });
    assert.ok(straight.completed && straight.step === 6 && straight.losses.length === 6);
    assert.ok(straight.heldout && straight.heldout.predictions > 0, 'held-out accuracy computed');

    const first = await pretrain(config(`resumed-${backend}`), {
      progress: false,
      onStep: (step: number) => (step >= 3 ? 'stop' : undefined),
    });
    assert.ok(!first.completed && first.step === 3);
    assert.ok(existsSync(join(root, `resumed-${backend}`, 'checkpoint', 'state.json')));
    const second = await pretrain(config(`resumed-${backend}`), { progress: false, resume: true });
    assert.ok(second.completed && second.step === 6);
    assert.deepEqual([...first.losses, ...second.losses], straight.losses);
    assert.equal(second.heldout?.accuracy, straight.heldout?.accuracy);

    const a = loadStateDict(join(root, `straight-${backend}`));
    const b = loadStateDict(join(root, `resumed-${backend}`));
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    for (const [key, t] of a) assert.deepEqual(b.get(key)!.data, t.data, `${key} differs`);
    for (const f of ['vocab.txt', 'training_state.json', 'config.json', 'tokenizer_config.json'])
      assert.ok(existsSync(join(root, `resumed-${backend}`, f)), f);
  });
}

test('no tensor leaks: tensor count flat across steps and back to the start after the run', async () => {
  await useBackend('cpu');
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  await pretrain(config('leak', { maxSteps: 5, evalEvery: 2 }), {
    progress: false,
    onStep: () => {
      counts.push(tf.memory().numTensors);
      return undefined;
    },
  });
  assert.equal(new Set(counts).size, 1, `tensor counts per step: ${counts.join(', ')}`);
  assert.equal(tf.memory().numTensors, before);
  const accumulated: number[] = [];
  await pretrain(config('leak-accum', { maxSteps: 3, evalEvery: 2, gradientAccumulation: 2 }), {
    progress: false,
    onStep: () => {
      accumulated.push(tf.memory().numTensors);
      return undefined;
    },
  });
  assert.equal(
    new Set(accumulated).size,
    1,
    `with gradient accumulation, tensor counts per step: ${accumulated.join(', ')}`,
  );
  assert.equal(tf.memory().numTensors, before);
});

test('data-parallel pretraining (2 workers): resume is exact and the model learns', async () => {
  await useBackend('wasm');
  await assertResumeExact('dp', { workers: 2, maxSteps: 4, evalEvery: 2 });
  const a = loadStateDict(join(root, 'dp-straight'));
  const b = loadStateDict(join(root, 'dp-resumed'));
  for (const [key, t] of a) assert.deepEqual(b.get(key)!.data, t.data, `${key} differs`);
});

test('shardBatch splits rows and re-bases masked positions', () => {
  const batch = {
    inputIds: Int32Array.from({ length: 8 }, (_, i) => i),
    batch: 4,
    seq: 2,
    positions: Int32Array.from([1, 2, 7]),
    labels: Int32Array.from([10, 20, 70]),
  };
  const shards = shardBatch(batch, 2);
  assert.deepEqual(
    shards.map((s) => s.inputIds),
    [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ],
  );
  assert.deepEqual(
    shards.map((s) => [s.positions, s.labels]),
    [
      [
        [1, 2],
        [10, 20],
      ],
      [[3], [70]],
    ],
  );
});

test(`gradient accumulation: four micro-batches weighted by masked tokens give the one-pass loss and gradients \
(no dropout); one micro-batch is the plain pass`, async () => {
  await useBackend('cpu');
  const model = BertModel.create(
    {
      ...BERT_DEFAULTS,
      numHiddenLayers: 2,
      hiddenSize: 32,
      numAttentionHeads: 2,
      intermediateSize: 64,
      vocabSize: 65,
      hiddenDropoutProb: 0,
      attentionProbsDropoutProb: 0,
    },
    { mlmHead: true },
    5,
  );
  const r = new SeededRandom(11);
  const batch = {
    inputIds: Int32Array.from({ length: 8 * 12 }, () => 5 + r.int(60)),
    batch: 8,
    seq: 12,
    positions: Int32Array.from([1, 3, 14, 30, 31, 50, 61, 62, 63, 90]),
    labels: Int32Array.from({ length: 10 }, () => 5 + r.int(60)),
  };
  const whole = mlmLossAndGrads(model, batch, 3);
  const sum = new GradientSum(true);
  for (const slice of splitBatch(batch, 4)) sum.add(mlmLossAndGrads(model, slice, 3), slice.labels.length);
  const parts = sum.result();
  assert.equal(parts.divisor, 10);
  const loss = parts.lossSum / parts.divisor;
  assert.ok(Math.abs(whole.loss - loss) < 1e-5, `loss ${whole.loss} vs ${loss}`);
  for (const [k, g] of Object.entries(whole.grads)) {
    const a = g.dataSync();
    const b = parts.grads![k]!.dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]! / parts.divisor));
    assert.ok(worst < 1e-5, `${k}: max |difference| ${worst}`);
  }
  const single = new GradientSum(true);
  single.add(mlmLossAndGrads(model, batch, 3), 10);
  const one = single.result();
  assert.deepEqual([one.lossSum, one.divisor], [whole.loss, 1]);
  tf.dispose([...Object.values(whole.grads), ...Object.values(parts.grads!), ...Object.values(one.grads!)]);
  model.dispose();
});

test(`gradient accumulation in pretraining: resume is exact; bad combinations are refused naming the \
fields`, async () => {
  await useBackend('cpu');
  await assertResumeExact('accum', { gradientAccumulation: 2, maxSteps: 4, evalEvery: 2 });
  assert.throws(
    () => config('x', { gradientAccumulation: 3 }),
    /batchSize 4 must be a multiple of gradientAccumulation 3/,
  );
  assert.throws(() => config('x', { gradientAccumulation: 2, workers: 2 }), /gradientAccumulation 2 and workers 2/);
});

test(`resume refuses other settings naming them (resumeForce continues) and a checkpoint of the loop before the \
Trainer, saying how to start from its weights`, async () => {
  await useBackend('cpu');
  const first = await pretrain(config('identity'), {
    progress: false,
    onStep: (step: number) => (step >= 2 ? 'stop' : undefined),
  });
  assert.equal(first.step, 2);
  await assert.rejects(
    pretrain(config('identity', { maxSteps: 8 }), { progress: false, resume: true }),
    /checkpoint: the checkpoint was written by another configuration \(maxSteps 6 → 8\)/,
  );
  const forced = await pretrain(config('identity', { maxSteps: 8 }), {
    progress: false,
    resume: true,
    resumeForce: true,
  });
  assert.ok(forced.completed && forced.step === 8);
  const statePath = join(root, 'identity', 'checkpoint', 'state.json');
  const { format: _format, ...old } = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>;
  writeFileSync(statePath, JSON.stringify(old));
  await assert.rejects(
    pretrain(config('identity'), { progress: false, resume: true }),
    /before it ran on the Trainer .*start a new run from its weights with init: '.*identity\/checkpoint'/,
  );
});

for (const backend of ['cpu', 'native'] as const) {
  test(`ELECTRA (${backend}): generator + discriminator train, resume exactly, and save the discriminator without an \
MLM head and the generator beside it`, async () => {
    await useBackend(backend);
    const electra = {
      objective: 'electra',
      generatorHidden: 64,
      generatorLayers: 1,
      maxSteps: 4,
      evalEvery: 2,
    } as const;
    await assertResumeExact(`electra-${backend}`, electra);
    const straight = await pretrain(config(`electra-${backend}-again`, electra), { progress: false });
    assert.ok(straight.completed && straight.heldout === undefined);
    const m = straight.metrics!;
    for (const k of ['generator_mlm_accuracy', 'rtd_accuracy', 'rtd_replaced_recall', 'rtd_replaced_share'])
      assert.ok(m[k]! >= 0 && m[k]! <= 1, `${k} = ${m[k]}`);
    const disc = loadStateDict(join(root, `electra-${backend}-straight`));
    assert.ok(![...disc.keys()].some((k) => k.startsWith('cls.') || k.startsWith('generator.')));
    const generator = loadStateDict(join(root, `electra-${backend}-straight`, 'generator'));
    assert.ok(generator.has('cls.predictions.bias'));
    const a = loadStateDict(join(root, `electra-${backend}-resumed`));
    for (const [key, t] of disc) assert.deepEqual(a.get(key)!.data, t.data, `${key} differs`);
  });
}

test('ELECTRA is refused with --probe (no MLM head) and with data-parallel workers', async () => {
  await assert.rejects(
    pretrain(config('electra-probe', { objective: 'electra' }), { progress: false, probe: async () => ({}) }),
    /--probe scores label words with the MLM head/,
  );
  assert.throws(() => config('x', { objective: 'electra', workers: 2 }), /objective electra runs on this thread/);
});
