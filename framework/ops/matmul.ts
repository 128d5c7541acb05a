import { ShapeError } from '../errors.js';
import { tf, type Tensor } from '../backend/tf.js';

/**
 * Dense layer `x·W + bias` for x [..., in] and W [in, out]: leading dims are flattened into one 2-D
 * product, the shape on which every backend (and XNNPACK on wasm) runs fastest.
 */
export function dense(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const inDim = x.shape[x.rank - 1]!;
  if (weight.rank !== 2 || weight.shape[0] !== inDim) {
    throw new ShapeError(`dense: input last dim ${inDim} does not match weight shape [${weight.shape.join(', ')}]`);
  }
  const x2d = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
  let y = tf.matMul(x2d, weight);
  if (bias) y = tf.add(y, bias);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), weight.shape[1]!]);
}
