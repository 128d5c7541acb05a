import { tf, type Tensor } from '../backend/tf.js';

/**
 * Sums gradients over micro-batches for gradient accumulation; `mean()` hands back their average and
 * resets. Keyed by variable name as `tf.variableGrads` returns them.
 */
export class GradientAccumulator {
  private sums: Record<string, Tensor> = {};
  private count = 0;

  /** Adds one micro-batch's gradients and disposes them. */
  add(grads: Record<string, Tensor>): void {
    for (const [name, g] of Object.entries(grads)) {
      const prev = this.sums[name];
      if (prev) {
        this.sums[name] = tf.add(prev, g);
        prev.dispose();
        g.dispose();
      } else {
        this.sums[name] = g;
      }
    }
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The averaged gradients (caller disposes them); the accumulator is empty afterwards. */
  mean(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, g] of Object.entries(this.sums)) {
      out[name] = this.count === 1 ? g : tf.div(g, this.count);
      if (this.count !== 1) g.dispose();
    }
    this.sums = {};
    this.count = 0;
    return out;
  }
}
