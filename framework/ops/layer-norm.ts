import { tf, type Tensor } from '../backend/tf.js';
import { customGrad } from './custom-grad.js';

/**
 * LayerNorm over the last axis with a hand-written gradient: autodiff through moments() records ~12 kernels
 * and keeps their outputs alive; the closed form needs x̂ and 1/σ only:
 * dx = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)), g = dy·γ.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  return layerNormOp(eps)(x, gamma, beta);
}

const cache = new Map<number, (...inputs: Tensor[]) => Tensor>();
function layerNormOp(eps: number): (...inputs: Tensor[]) => Tensor {
  let op = cache.get(eps);
  if (op) return op;
  op = customGrad(([x, gamma, beta], save) => {
    const axis = x!.rank - 1;
    const mean = tf.mean(x!, axis, true);
    const centered = tf.sub(x!, mean);
    const variance = tf.mean(tf.square(centered), axis, true);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xHat = tf.mul(centered, invStd);
    save([xHat, invStd, gamma!]);
    return {
      value: tf.add(tf.mul(xHat, gamma!), beta!),
      gradFunc: (dy, [xh, inv, g]) => {
        const reduceAxes = [...Array(dy.rank - 1).keys()];
        const dGamma = tf.sum(tf.mul(dy, xh!), reduceAxes);
        const dBeta = tf.sum(dy, reduceAxes);
        const gdy = tf.mul(dy, g!);
        const meanG = tf.mean(gdy, axis, true);
        const meanGx = tf.mean(tf.mul(gdy, xh!), axis, true);
        const dx = tf.mul(inv!, tf.sub(tf.sub(gdy, meanG), tf.mul(xh!, meanGx)));
        return [dx, dGamma, dBeta];
      },
    };
  });
  cache.set(eps, op);
  return op;
}
