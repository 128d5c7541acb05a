import { tf } from '../backend/tf.js';
import type { LossAndGrads } from './objective.js';

/**
 * The gradients of a step's micro-batches, summed as they arrive. Weighted sums scale each micro-batch by its weight;
 * a single micro-batch is left unscaled, so one micro-batch is exactly the plain pass.
 * @example
 * const sum = new GradientSum(true);
 * sum.add(partA, 30); sum.add(partB, 10); // masked-token counts
 * const { grads, lossSum, divisor } = sum.result(); // grads / divisor = (30·gA + 10·gB) / 40
 */
export class GradientSum {
  private grads: Record<string, tf.Tensor> | undefined;
  private first = { loss: 0, weight: 1 };
  private weightSum = 0;
  private lossSum = 0;
  private micros = 0;

  constructor(private readonly weighted: boolean) {}

  add(part: LossAndGrads, weight: number): void {
    const w = this.weighted ? weight : 1;
    this.micros++;
    this.weightSum += w;
    this.lossSum += w * part.loss;
    if (!this.grads) {
      this.grads = part.grads;
      this.first = { loss: part.loss, weight: w };
      return;
    }
    if (this.weighted && this.micros === 2) this.scale(this.first.weight);
    for (const [k, t] of Object.entries(part.grads)) {
      const prev = this.grads[k];
      const term = this.weighted ? tf.mul(t, w) : t;
      if (term !== t) t.dispose();
      this.grads[k] = prev ? tf.add(prev, term) : term;
      if (prev) {
        prev.dispose();
        term.dispose();
      }
    }
  }

  private scale(weight: number): void {
    for (const [k, t] of Object.entries(this.grads!)) {
      this.grads![k] = tf.mul(t, weight);
      t.dispose();
    }
  }

  /** The sums, their loss sum, and what to divide both by for the step's averages. */
  result(): { grads: Record<string, tf.Tensor> | undefined; lossSum: number; divisor: number } {
    if (this.micros <= 1) return { grads: this.grads, lossSum: this.first.loss, divisor: 1 };
    return { grads: this.grads, lossSum: this.lossSum, divisor: this.weightSum };
  }
}
