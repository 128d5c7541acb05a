import { tf, type Tensor } from '../backend/tf.js';

/** What a custom-gradient body returns: the value and the gradients of each input given dy and the saved tensors. */
export interface GradBody {
  value: Tensor;
  gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor[];
}

/**
 * A typed front for `tf.customGrad`: the body receives its tensor inputs as an array and a `save` function,
 * instead of tfjs's variadic `(…inputs, save)` whose type mixes both.
 */
export function customGrad(
  body: (inputs: Tensor[], save: tf.GradSaveFunc) => GradBody,
): (...inputs: Tensor[]) => Tensor {
  const wrapped = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1];
    if (typeof save !== 'function') throw new Error('customGrad: tfjs did not pass a save function');
    const inputs = args.slice(0, -1).filter((a): a is Tensor => a instanceof tf.Tensor);
    return body(inputs, save);
  });
  return (...inputs: Tensor[]) => wrapped(...inputs);
}
