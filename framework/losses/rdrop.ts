import { ConfigError, ShapeError } from '../errors.js';
import { tf, type Tensor } from '../backend/tf.js';

/**
 * R-Drop's regulariser (Liang et al., 2021): the symmetric KL divergence between the predictive
 * distributions of two forward passes that differ only in their dropout masks,
 * ½·[KL(softmax(q) ‖ softmax(p)) + KL(softmax(p) ‖ softmax(q))], as PaddleNLP's `RDropLoss`.
 * `reduction: 'sum'` (PaddleNLP's) sums over the batch; `'mean'` averages over it.
 * @example
 * const kl = new RDropLoss().call(logits1, logits2); // scalar; 0 when the passes agree
 * const loss = tf.add(ce, tf.mul(kl, alpha));
 */
export class RDropLoss {
  static readonly kind = 'rdrop';

  constructor(readonly reduction: 'sum' | 'mean' = 'sum') {
    if (reduction !== 'sum' && reduction !== 'mean')
      throw new ConfigError(`RDropLoss reduction must be 'sum' or 'mean', got '${String(reduction)}'`);
  }

  /** p, q: logits [batch, classes]; optional padMask [batch] (1 = count the row). */
  call(p: Tensor, q: Tensor, padMask?: Tensor): Tensor {
    if (p.rank !== 2 || p.shape.join() !== q.shape.join())
      throw new ShapeError(
        `RDropLoss expects two equal-shape [batch, classes] logits, got [${p.shape}] and [${q.shape}]`,
      );
    return tf.tidy(() => {
      const lp = tf.logSoftmax(p);
      const lq = tf.logSoftmax(q);
      // KL(target ‖ input) = Σ target·(log target − log input), summed over classes.
      const klPQ = tf.sum(tf.mul(tf.exp(lq), tf.sub(lq, lp)), 1);
      const klQP = tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), 1);
      let rows = tf.div(tf.add(klPQ, klQP), 2);
      if (padMask) rows = tf.mul(rows, tf.cast(padMask, 'float32'));
      return this.reduction === 'sum' ? tf.sum(rows) : tf.mean(rows);
    });
  }

  getConfig(): { type: 'rdrop'; reduction: 'sum' | 'mean' } {
    return { type: 'rdrop', reduction: this.reduction };
  }

  static fromConfig(config: { reduction?: 'sum' | 'mean' }): RDropLoss {
    return new RDropLoss(config.reduction ?? 'sum');
  }
}
