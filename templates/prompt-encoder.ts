import { tf, type Tensor, type Variable } from '../framework/backend/tf.js';
import { dense } from '../framework/ops/matmul.js';

/** Parameters of P-Tuning's prompt encoder, created by the method (`param(name, shape, init)`). */
export type ParamFactory = (name: string, shape: number[], init: 'normal' | 'zeros') => Variable;

/**
 * P-Tuning's reparameterisation of the soft prompt embeddings (Liu et al., 2021), as PaddleNLP does it:
 * `mlp` = Linear → ReLU → Linear; `lstm` = a bidirectional LSTM over the prompt sequence followed by that
 * MLP; `none` = the raw embeddings. Input and output [S, H].
 */
export class PromptEncoder {
  constructor(
    readonly kind: 'none' | 'mlp' | 'lstm',
    readonly hidden: number,
    readonly inner: number,
    param: ParamFactory,
  ) {
    if (kind === 'none') return;
    if (kind === 'lstm') {
      const h = hidden / 2;
      for (const dir of ['fw', 'bw']) {
        param(`lstm.${dir}.kernel`, [hidden + h, 4 * h], 'normal');
        param(`lstm.${dir}.bias`, [4 * h], 'zeros');
      }
    }
    param('mlp.0.weight', [hidden, inner], 'normal');
    param('mlp.0.bias', [inner], 'zeros');
    param('mlp.1.weight', [inner, hidden], 'normal');
    param('mlp.1.bias', [hidden], 'zeros');
  }

  encode(embeddings: Tensor, get: (name: string) => Tensor): Tensor {
    if (this.kind === 'none') return embeddings;
    let x = embeddings;
    if (this.kind === 'lstm') {
      const fw = this.lstm(x, get('lstm.fw.kernel'), get('lstm.fw.bias'));
      const bw = tf.reverse(this.lstm(tf.reverse(x, 0), get('lstm.bw.kernel'), get('lstm.bw.bias')), 0);
      x = tf.concat([fw, bw], 1);
    }
    return dense(tf.relu(dense(x, get('mlp.0.weight'), get('mlp.0.bias'))), get('mlp.1.weight'), get('mlp.1.bias'));
  }

  /** A one-layer LSTM over the S prompt positions (gates i, f, g, o) → [S, H/2]. */
  private lstm(x: Tensor, kernel: Tensor, bias: Tensor): Tensor {
    const h0 = kernel.shape[1]! / 4;
    let h = tf.zeros([1, h0]);
    let c = tf.zeros([1, h0]);
    const outputs: Tensor[] = [];
    for (const row of tf.unstack(x)) {
      const z = tf.add(tf.matMul(tf.concat([tf.reshape(row, [1, -1]), h], 1), kernel), bias);
      const [i, f, g, o] = tf.split(z, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      h = tf.mul(tf.sigmoid(o), tf.tanh(c));
      outputs.push(h);
    }
    return tf.concat(outputs, 0);
  }
}
