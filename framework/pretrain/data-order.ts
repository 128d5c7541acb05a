/**
 * The order in which training chunks are visited: a fresh seeded permutation per epoch. The whole state
 * is (seed, epoch, offset); each epoch's permutation is recomputed from `mixSeed(seed, epoch)`, so a
 * checkpoint stores three numbers and a resumed run visits exactly the chunks the uninterrupted one would.
 */
import { ConfigError } from '../errors.js';
import { mixSeed, Rng } from './rng.js';

/** Serialisable position in the data. */
export interface DataOrderState {
  seed: number;
  /** 0-based epoch being read. */
  epoch: number;
  /** Chunks of this epoch already handed out. */
  offset: number;
  /** Chunks per epoch (checked on restore). */
  size: number;
}

/**
 * Seeded per-epoch shuffling of `size` chunk indices, handed out in batches that run across epoch ends.
 * @example
 * const order = new DataOrder(10, 7);
 * order.next(4);                               // → [{ index: 3, epoch: 0 }, …] 4 indices of epoch 0's permutation
 * const again = DataOrder.fromState(order.state());
 * again.next(8);
 * // → the same 8 as order.next(8): the last 6 of epoch 0, then 2 of epoch 1
 */
export class DataOrder {
  private epochValue = 0;
  private offsetValue = 0;
  private permutation: Int32Array;

  constructor(
    readonly size: number,
    readonly seed: number,
  ) {
    if (!Number.isInteger(size) || size <= 0) throw new ConfigError(`data order needs at least one chunk, got ${size}`);
    this.permutation = this.permute(0);
  }

  /** Restores a saved position. */
  static fromState(state: DataOrderState): DataOrder {
    const order = new DataOrder(state.size, state.seed);
    if (!(state.offset >= 0 && state.offset <= state.size && state.epoch >= 0))
      throw new ConfigError(`bad data order state ${JSON.stringify(state)}`);
    order.epochValue = state.epoch;
    order.offsetValue = state.offset;
    order.permutation = order.permute(state.epoch);
    return order;
  }

  private permute(epoch: number): Int32Array {
    const p = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) p[i] = i;
    return new Rng(mixSeed(this.seed, epoch)).shuffle(p);
  }

  get epoch(): number {
    return this.epochValue;
  }

  /** Epochs completed, fractional. */
  get progress(): number {
    return this.epochValue + this.offsetValue / this.size;
  }

  /** The next `n` chunk indices with the epoch each was drawn in (masks depend on it). */
  next(n: number): { index: number; epoch: number }[] {
    const out: { index: number; epoch: number }[] = [];
    while (out.length < n) {
      if (this.offsetValue >= this.size) {
        this.epochValue++;
        this.offsetValue = 0;
        this.permutation = this.permute(this.epochValue);
      }
      out.push({ index: this.permutation[this.offsetValue++]!, epoch: this.epochValue });
    }
    return out;
  }

  state(): DataOrderState {
    return { seed: this.seed, epoch: this.epochValue, offset: this.offsetValue, size: this.size };
  }
}
