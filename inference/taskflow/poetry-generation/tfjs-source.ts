import { tf, tidyRead, type Tensor } from '../../../framework/backend/tf.js';
import type { GptModel, KvCache } from './gpt.js';
import type { LogitsSource } from '../../../framework/generation/base.js';
import { leftPad } from '../../../framework/generation/left-pad.js';

/**
 * Logits at the last column of a forward pass [rows, 1, vocab]. A tensor, read by the caller outside its
 * tidy: tidy walks a returned host array element by element (≈ 0.2 s a step for 32 rows of a 5k vocabulary).
 */
function lastLogits(
  model: GptModel,
  ids: Tensor,
  positions: Tensor,
  mask: Tensor,
  past?: KvCache,
): { logits: Tensor; present: KvCache } {
  const { hidden, present } = model.forward({ inputIds: ids, positionIds: positions, attentionMask: mask }, past, {
    training: false,
  });
  const [rows, seq] = ids.shape as [number, number];
  const last = tf.slice(hidden, [0, seq - 1, 0], [rows, 1, -1]);
  return { logits: model.logits(last), present };
}

/** A tensor's values as a host array, disposing the tensor. */
function take(t: Tensor): Float32Array {
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

/**
 * tfjs with a key/value cache: the prompts run once, then each step runs one new token per row against
 * the cached keys/values of every layer (gathered by parent row when beams reorder).
 * @example
 * const run = await generate(new TfjsCachedSource(model), [[2, 17]], { eosTokenId: 3 });
 */
export class TfjsCachedSource implements LogitsSource {
  private cache?: KvCache;
  private mask?: Tensor;
  private lastPosition: number[] = [];

  constructor(readonly model: GptModel) {}

  get vocabSize(): number {
    return this.model.config.vocabSize;
  }

  async start(prompts: readonly (readonly number[])[]): Promise<Float32Array> {
    this.dispose();
    const packed = leftPad(prompts, this.model.config.padTokenId);
    const shape: [number, number] = [prompts.length, packed.width];
    const mask = tf.tensor2d(packed.mask, shape, 'int32');
    const out = tf.tidy(() => {
      const r = lastLogits(
        this.model,
        tf.tensor2d(packed.ids, shape, 'int32'),
        tf.tensor2d(packed.positions, shape, 'int32'),
        mask,
      );
      return { logits: r.logits, keys: r.present.keys, values: r.present.values };
    });
    this.cache = { keys: out.keys, values: out.values };
    this.mask = mask;
    this.lastPosition = packed.lengths.map((n) => n - 1);
    return take(out.logits);
  }

  async step(parents: readonly number[], tokens: readonly number[]): Promise<Float32Array> {
    const cache = this.cache!;
    const oldMask = this.mask!;
    const rows = parents.length;
    const positions = parents.map((p) => this.lastPosition[p]! + 1);
    const out = tf.tidy(() => {
      const index = tf.tensor1d(Int32Array.from(parents), 'int32');
      const past: KvCache = {
        keys: cache.keys.map((k) => tf.gather(k, index)),
        values: cache.values.map((v) => tf.gather(v, index)),
      };
      const mask = tf.concat([tf.gather(oldMask, index), tf.ones([rows, 1], 'int32')], 1);
      const r = lastLogits(
        this.model,
        tf.tensor2d(Int32Array.from(tokens), [rows, 1], 'int32'),
        tf.tensor2d(Int32Array.from(positions), [rows, 1], 'int32'),
        mask,
        past,
      );
      return { logits: r.logits, keys: r.present.keys, values: r.present.values, mask };
    });
    this.dispose();
    this.cache = { keys: out.keys, values: out.values };
    this.mask = out.mask;
    this.lastPosition = positions;
    return take(out.logits);
  }

  dispose(): void {
    if (this.cache) tf.dispose([...this.cache.keys, ...this.cache.values]);
    this.mask?.dispose();
    this.cache = undefined;
    this.mask = undefined;
  }
}

/**
 * tfjs without a cache: every step re-runs the whole sequence (prompt + generated) of every row — the
 * baseline the cache is measured against.
 */
export class TfjsNaiveSource implements LogitsSource {
  private rows: number[][] = [];

  constructor(readonly model: GptModel) {}

  get vocabSize(): number {
    return this.model.config.vocabSize;
  }

  private run(): Float32Array {
    const packed = leftPad(this.rows, this.model.config.padTokenId);
    const shape: [number, number] = [this.rows.length, packed.width];
    return tidyRead(
      () =>
        lastLogits(
          this.model,
          tf.tensor2d(packed.ids, shape, 'int32'),
          tf.tensor2d(packed.positions, shape, 'int32'),
          tf.tensor2d(packed.mask, shape, 'int32'),
        ).logits,
      (t) => t.dataSync() as Float32Array,
    );
  }

  async start(prompts: readonly (readonly number[])[]): Promise<Float32Array> {
    this.rows = prompts.map((p) => [...p]);
    return this.run();
  }

  async step(parents: readonly number[], tokens: readonly number[]): Promise<Float32Array> {
    this.rows = parents.map((p, r) => [...this.rows[p]!, tokens[r]!]);
    return this.run();
  }

  dispose(): void {
    this.rows = [];
  }
}
