import { ConfigError } from '../errors.js';
import { tf, type Tensor } from '../backend/tf.js';

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Exact GELU, x·Φ(x), as BERT's `gelu` (erf form). */
export function gelu(x: Tensor): Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, SQRT_HALF)))));
}

/** Tanh approximation of GELU (`gelu_new`, `gelu_pytorch_tanh`). */
export function geluTanh(x: Tensor): Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  });
}

/** The activation named by a Hugging Face `hidden_act`. */
export function activation(name: string): (x: Tensor) => Tensor {
  switch (name) {
    case 'gelu':
      return gelu;
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return geluTanh;
    case 'relu':
      return (x) => tf.relu(x);
    default:
      throw new ConfigError(
        `hidden_act '${name}' is not supported; expected gelu, gelu_new, gelu_pytorch_tanh or relu`,
      );
  }
}
