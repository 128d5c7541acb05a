import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { tf, type Tensor } from '../backend/tf.js';
import { ConfigError, FewpromptError } from '../errors.js';
import { makeLayout, type ParamLayout } from './layout.js';
import type { Replica, ReplicaModule } from './replica.js';
import { moduleUrl } from '../package-paths.js';

interface Done {
  type: 'done';
  loss: number;
  weight: number;
}
interface Failed {
  type: 'error';
  message: string;
}

/**
 * Data parallelism over worker threads: the wasm backend runs one core per instance, so each worker
 * holds its own wasm instance and model replica, computes the gradient of its shard of the batch, and
 * writes it into shared memory; this thread averages the gradients (weighted by loss terms), and the
 * caller's optimiser updates the coordinator's replica, whose weights are then published back.
 * `_Spec` is the replica spec type that `create` was given; only callers' annotations use it.
 * @example
 * const module = new URL('./mlm-replica.ts', import.meta.url).href;
 * const dp = await DataParallel.create({ module, spec, workers: 2 });
 * const { loss, grads } = await dp.gradients([shardA, shardB], seed);
 * optimizer.step(grads); tf.dispose(Object.values(grads)); dp.publish();
 */
export class DataParallel<_Spec, Shard> {
  private version = 0;
  private readonly params: Float32Array;
  private readonly grads: Float32Array[];
  private readonly combined: Float32Array;

  private constructor(
    readonly replica: Replica<Shard>,
    private readonly workers: Worker[],
    readonly layout: ParamLayout,
    paramsBuffer: SharedArrayBuffer,
    gradBuffers: SharedArrayBuffer[],
  ) {
    this.params = new Float32Array(paramsBuffer);
    this.grads = gradBuffers.map((b) => new Float32Array(b));
    this.combined = new Float32Array(layout.total);
    this.publish();
  }

  /**
   * Starts `workers` threads, each building a replica with `module`'s `createReplica(spec)`. The
   * coordinator's replica (the weights the optimiser updates) is built the same way, or is the caller's
   * `coordinator` (e.g. a model loaded from a checkpoint) whose variables must match the workers' layout.
   */
  static async create<Spec, Shard>(options: {
    module: string;
    spec: Spec;
    workers: number;
    coordinator?: Replica<Shard>;
  }): Promise<DataParallel<Spec, Shard>> {
    if (!Number.isInteger(options.workers) || options.workers < 1)
      throw new ConfigError(`workers must be a positive integer, got ${options.workers}`);
    const replica =
      options.coordinator ??
      (await ((await import(options.module)) as ReplicaModule<Spec, Shard>).createReplica(options.spec));
    const layout = makeLayout(replica.variables().map((v) => ({ name: v.name, shape: [...v.variable.shape] })));
    const paramsBuffer = new SharedArrayBuffer(layout.total * 4);
    const gradBuffers = Array.from({ length: options.workers }, () => new SharedArrayBuffer(layout.total * 4));
    const boot = new URL('../workers/worker-boot.mjs', import.meta.url);
    const host = moduleUrl('./host.ts', import.meta.url);
    // Workers divide the cores: each native backend gets cores ÷ workers intra-op threads (unless set explicitly).
    const share = String(Math.max(1, Math.floor(availableParallelism() / options.workers)));
    const env = { ...process.env, FEWPROMPT_THREADS: process.env['FEWPROMPT_THREADS'] ?? share };
    const workers = gradBuffers.map(
      (grads, index) =>
        new Worker(boot, {
          workerData: { host, module: options.module, spec: options.spec, params: paramsBuffer, grads, layout, index },
          env,
        }),
    );
    await Promise.all(
      workers.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            const onMessage = (m: { type: string; message?: string }) => {
              w.off('message', onMessage);
              if (m.type === 'ready') resolve();
              else reject(new FewpromptError(`data-parallel worker ${i} failed to start: ${m.message ?? m.type}`));
            };
            w.on('message', onMessage);
            w.once('error', (e: Error) =>
              reject(new FewpromptError(`data-parallel worker ${i} failed to start: ${e.message}`)),
            );
          }),
      ),
    );
    return new DataParallel(replica, workers, layout, paramsBuffer, gradBuffers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Writes the coordinator's current weights where the workers read them (call after each optimiser step). */
  publish(): void {
    this.replica
      .variables()
      .forEach(({ variable }, i) => this.params.set(variable.dataSync() as Float32Array, this.layout.offsets[i]!));
    this.version++;
  }

  /**
   * Gradient of the whole batch given as one shard per worker: each worker's mean-loss gradient weighted by
   * its share of the loss terms. Returns the weighted mean loss and gradients keyed by the coordinator's
   * variable names (what `AdamW.step` takes); the caller disposes them.
   */
  async gradients(shards: Shard[], seed: number): Promise<{ loss: number; grads: Record<string, Tensor> }> {
    if (shards.length !== this.workers.length)
      throw new ConfigError(`expected ${this.workers.length} shards (one per worker), got ${shards.length}`);
    const results = await Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<Done>((resolve, reject) => {
            const onMessage = (m: Done | Failed) => {
              w.off('message', onMessage);
              if (m.type === 'done') resolve(m);
              else reject(new FewpromptError(`data-parallel worker ${i}: ${m.message}`));
            };
            w.on('message', onMessage);
            w.postMessage({ type: 'step', shard: shards[i], seed: (seed * 31 + i) >>> 0, version: this.version });
          }),
      ),
    );
    const total = results.reduce((s, r) => s + r.weight, 0);
    const weights = results.map((r) => (total > 0 ? r.weight / total : 1 / results.length));
    const out = this.combined;
    out.fill(0);
    this.grads.forEach((g, w) => {
      const k = weights[w]!;
      for (let j = 0; j < out.length; j++) out[j]! += k * g[j]!;
    });
    const grads: Record<string, Tensor> = {};
    this.replica.variables().forEach(({ variable }, i) => {
      const off = this.layout.offsets[i]!;
      grads[variable.name] = tf.tensor(out.slice(off, off + variable.size), variable.shape);
    });
    const loss = results.reduce((s, r, i) => s + weights[i]! * r.loss, 0);
    return { loss, grads };
  }

  /** Stops the workers and releases the coordinator's replica. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.replica.dispose();
  }
}
