import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { tf } from '../backend/tf.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { dropout } from '../ops/dropout.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { useBackend } from '../testing/backends.js';
import type { Objective } from './objective.js';
import { SeededRandom } from '../random.js';
import { loadTrainerCheckpoint } from './checkpoint.js';
import { Trainer, type StepInfo, type TrainerOptions } from './trainer.js';
import { ConfigError } from '../errors.js';

interface Ex {
  x: number[];
  y: number;
}
interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** Softmax regression with dropout on its input: small, but exercises every trainer path. */
class LinearObjective implements Objective<Ex, Batch> {
  readonly w = tf.tidy(() => tf.variable(tf.zeros([4, 3])));
  readonly b = tf.tidy(() => tf.variable(tf.zeros([3])));
  paramGroups() {
    return [{ params: [this.w, this.b], lr: 0.1, weightDecay: 0 }];
  }
  makeBatch(examples: Ex[]): Batch {
    return {
      x: tf.tensor2d(examples.map((e) => e.x)),
      y: tf.tensor1d(
        examples.map((e) => e.y),
        'int32',
      ),
    };
  }
  disposeBatch(b: Batch) {
    tf.dispose([b.x, b.y]);
  }
  loss(b: Batch, seed: number) {
    return softmaxCrossEntropy(tf.add(tf.matMul(dropout(b.x, 0.1, seed), this.w), this.b), b.y) as tf.Scalar;
  }
  scores(b: Batch) {
    return tf.tidy(() => tf.add(tf.matMul(b.x, this.w), this.b).arraySync() as number[][]);
  }
  labelOf(e: Ex) {
    return e.y;
  }
  snapshot() {
    return new Map<string, HostTensor>([
      ['w', { dtype: 'float32', shape: [4, 3], data: this.w.dataSync() as Float32Array }],
      ['b', { dtype: 'float32', shape: [3], data: this.b.dataSync() as Float32Array }],
    ]);
  }
  restore(m: ReadonlyMap<string, HostTensor>) {
    tf.tidy(() => {
      this.w.assign(tf.tensor(m.get('w')!.data as Float32Array, [4, 3]));
      this.b.assign(tf.tensor(m.get('b')!.data as Float32Array, [3]));
    });
  }
  dispose() {
    tf.dispose([this.w, this.b]);
  }
}

function data(n: number, seed: number): Ex[] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const y = r.int(3);
    const x = [r.next() - 0.5, r.next() - 0.5, r.next() - 0.5, r.next() - 0.5];
    x[y] += 1.5; // a lexical-cue-like signal
    return { x, y };
  });
}

const train = data(96, 1);
const dev = data(48, 2);
const base = { epochs: 6, batchSize: 8, seed: 7, evalEvery: 6, progress: false, warmupRatio: 0.1 } as const;

test('trainer learns, is deterministic by seed, and leaks nothing', async () => {
  await useBackend('cpu');
  const before = tf.memory().numTensors;
  const a = new LinearObjective();
  const ra = await new Trainer(a, base).fit(train, dev);
  const b = new LinearObjective();
  const rb = await new Trainer(b, base).fit(train, dev);
  assert.ok(ra.bestDev >= 0.9, `dev accuracy ${ra.bestDev}`);
  assert.deepEqual(ra.history, rb.history, 'same seed and data → same metrics');
  assert.deepEqual(a.w.dataSync(), b.w.dataSync());
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('resuming after a kill reproduces the uninterrupted run', async () => {
  await useBackend('cpu');
  const dir = join(mkdtempSync(join(tmpdir(), 'fewprompt-trainer-')), 'ckpt');
  const straight = new LinearObjective();
  const full = await new Trainer(straight, base).fit(train, dev);

  // Killed after step 29 (its checkpoint written): a throwing onStep ends fit at once, writing nothing more.
  const killed = new LinearObjective();
  const onStep: TrainerOptions<Ex>['onStep'] = ({ step }) => {
    if (step === 29) throw new Error('killed');
  };
  await assert.rejects(
    new Trainer(killed, { ...base, checkpointDir: dir, checkpointEvery: 1, onStep }).fit(train, dev),
    /killed/,
  );
  assert.equal(loadTrainerCheckpoint(dir)?.state.step, 29);
  killed.dispose();
  const resumed = new LinearObjective();
  const rest = await new Trainer(resumed, { ...base, checkpointDir: dir, resume: true }).fit(train, dev);
  assert.deepEqual(rest.history, full.history);
  assert.equal(rest.bestDev, full.bestDev);
  const w1 = straight.w.dataSync();
  const w2 = resumed.w.dataSync();
  for (let i = 0; i < w1.length; i++) assert.ok(Math.abs(w1[i]! - w2[i]!) < 1e-6, `weight ${i}: ${w1[i]} vs ${w2[i]}`);
  straight.dispose();
  resumed.dispose();
});

test(`resume refuses a checkpoint of other settings, data or identity, naming the fields; --resume-force \
continues`, async () => {
  await useBackend('cpu');
  const dir = join(mkdtempSync(join(tmpdir(), 'fewprompt-trainer-')), 'ckpt');
  const first = new LinearObjective();
  await new Trainer(first, {
    ...base,
    checkpointDir: dir,
    checkpointEvery: 1,
    onStep: ({ step }) => (step === 5 ? 'stop' : undefined),
    identity: { split: '0', template: 'A' },
  }).fit(train, dev);
  first.dispose();
  const cases: [Partial<TrainerOptions<Ex>>, Ex[], RegExp][] = [
    [
      { identity: { split: '1', template: 'A' } },
      train,
      /another configuration \(split "0" → "1"\); resume with the same settings, pass --resume-force/,
    ],
    [{ identity: { split: '0', template: 'B' }, seed: 8 }, train, /template "A" → "B", seed 7 → 8/],
    [{ identity: { split: '0', template: 'A' } }, data(96, 5), /training or dev examples/],
  ];
  for (const [change, examples, message] of cases) {
    const o = new LinearObjective();
    await assert.rejects(
      new Trainer(o, { ...base, checkpointDir: dir, resume: true, ...change }).fit(examples, dev),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
    );
    o.dispose();
  }
  const forced = new LinearObjective();
  const r = await new Trainer(forced, {
    ...base,
    checkpointDir: dir,
    resume: true,
    resumeForce: true,
    identity: { split: '1', template: 'A' },
  }).fit(train, dev);
  assert.ok(r.steps > 5, 'continued from the checkpoint');
  forced.dispose();
});

test(`onStep sees each step's loss and learning rate; 'stop' ends the run as SIGINT does: a checkpoint that resume \
continues from`, async () => {
  await useBackend('cpu');
  const dir = join(mkdtempSync(join(tmpdir(), 'fewprompt-trainer-')), 'ckpt');
  const seen: StepInfo[] = [];
  const first = new LinearObjective();
  // evalEvery 6 and no checkpointEvery: before step 6 only the stop writes a checkpoint.
  const stopped = await new Trainer(first, {
    ...base,
    checkpointDir: dir,
    onStep: (s) => {
      seen.push(s);
      return s.step === 5 ? 'stop' : undefined;
    },
  }).fit(train, dev);
  first.dispose();
  assert.deepEqual([stopped.interrupted, stopped.steps], [true, 5]);
  assert.deepEqual(
    seen.map(({ step, loss, lr }) => ({ step, loss, lr })),
    stopped.history,
  );
  assert.ok(seen.every((s) => s.gradNorm > 0));
  assert.equal(loadTrainerCheckpoint(dir)?.state.step, 5);
  const resumed = new LinearObjective();
  const rest = await new Trainer(resumed, { ...base, checkpointDir: dir, resume: true }).fit(train, dev);
  assert.deepEqual([rest.interrupted, rest.steps], [false, 72]);
  assert.deepEqual(rest.history.slice(0, 5), stopped.history);
  resumed.dispose();
});

test('checkpointMinSeconds: evaluations write a checkpoint only that often; the last step always writes', async () => {
  await useBackend('cpu');
  for (const [seconds, written] of [
    [0, true],
    [3600, false],
  ] as const) {
    const dir = join(mkdtempSync(join(tmpdir(), 'fewprompt-trainer-')), 'ckpt');
    const o = new LinearObjective();
    const afterFirstEval: boolean[] = [];
    const r = await new Trainer(o, {
      ...base,
      epochs: 2,
      checkpointDir: dir,
      checkpointMinSeconds: seconds,
      onStep: ({ step }) => {
        if (step === 6) afterFirstEval.push(existsSync(join(dir, 'state.json')));
        return undefined;
      },
    }).fit(train, dev);
    assert.ok(
      r.history.some((h) => h.dev !== undefined),
      'evaluated',
    );
    assert.deepEqual(afterFirstEval, [written], `checkpointMinSeconds ${seconds}`);
    assert.equal(loadTrainerCheckpoint(dir)?.state.step, r.steps, 'the final step wrote a checkpoint');
    o.dispose();
  }
});

test('early stopping and best-on-dev restoration', async () => {
  await useBackend('cpu');
  const o = new LinearObjective();
  const r = await new Trainer(o, { ...base, epochs: 50, evalEvery: 2, earlyStoppingPatience: 3 }).fit(train, dev);
  assert.ok(r.steps < 50 * 12, `stopped early at step ${r.steps}`);
  const devEvals = r.history.filter((h) => h.dev !== undefined);
  assert.equal(Math.max(...devEvals.map((h) => h.dev!)), r.bestDev);
  o.dispose();
});

test(`a real SIGINT mid-run (no tracker) checkpoints and stops: the loop yields to the event loop every \
step`, async () => {
  await useBackend('cpu');
  const obj = new LinearObjective();
  const dir = mkdtempSync(join(tmpdir(), 'trainer-sigint-'));
  // Timers and signals are macrotasks: before the fix neither could run until fit() returned.
  const timer = setTimeout(() => process.kill(process.pid, 'SIGINT'), 150);
  const r = await new Trainer(obj, { ...base, epochs: 400, evalEvery: 1000, checkpointDir: dir }).fit(train, dev);
  clearTimeout(timer);
  assert.equal(r.interrupted, true);
  assert.ok(r.steps > 0 && r.steps < 400 * 12, `stopped after ${r.steps} steps`);
  obj.dispose();
});
