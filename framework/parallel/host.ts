import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/select.js';
import { tf } from '../backend/tf.js';
import { assertSameLayout, makeLayout, type ParamLayout } from './layout.js';
import type { ReplicaModule } from './replica.js';

/** Worker side of {@link DataParallel}: builds a replica, then answers `step` messages with gradients. */
interface HostData {
  module: string;
  spec: unknown;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  layout: ParamLayout;
  index: number;
}
interface StepMessage {
  type: 'step';
  shard: unknown;
  seed: number;
  version: number;
}

const data = workerData as HostData;
const port = parentPort!;
process.env.FEWPROMPT_LOG ??= 'warn';
await initBackend();
const mod = (await import(data.module)) as ReplicaModule<unknown, unknown>;
const replica = await mod.createReplica(data.spec);
const vars = replica.variables();
assertSameLayout(
  data.layout,
  makeLayout(vars.map((v) => ({ name: v.name, shape: [...v.variable.shape] }))),
  `worker ${data.index}`,
);
const params = new Float32Array(data.params);
const grads = new Float32Array(data.grads);
let version = -1;

port.on('message', (message: StepMessage | { type: 'exit' }) => {
  if (message.type === 'exit') {
    replica.dispose();
    port.close();
    return;
  }
  try {
    if (message.version !== version) {
      vars.forEach(({ variable }, i) => {
        const off = data.layout.offsets[i]!;
        // A copy: the native backend keeps a tensor's array as its storage, and this one is shared memory.
        tf.tidy(() => variable.assign(tf.tensor(params.slice(off, off + variable.size), variable.shape)));
      });
      version = message.version;
    }
    const { value, grads: g } = tf.variableGrads(
      () => replica.loss(message.shard, message.seed),
      vars.map((v) => v.variable),
    );
    vars.forEach(({ variable }, i) => {
      const off = data.layout.offsets[i]!;
      const gi = g[variable.name];
      if (gi) grads.set(gi.dataSync() as Float32Array, off);
      else grads.fill(0, off, off + variable.size);
    });
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(g)]);
    port.postMessage({ type: 'done', loss, weight: replica.weight(message.shard) });
  } catch (error) {
    port.postMessage({ type: 'error', message: (error as Error).stack ?? String(error) });
  }
});
port.postMessage({ type: 'ready' });
