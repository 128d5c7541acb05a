import { ShapeError } from '../errors.js';
import { tf, type Tensor } from '../backend/tf.js';
import { onNativeBackend } from '../backend/native.js';
import { customGrad } from './custom-grad.js';
import { nativeSoftmaxCrossEntropy } from './native-cross-entropy.js';

/**
 * Mean softmax cross-entropy of logits [N, C] against integer labels [N], with the closed-form gradient
 * (softmax − onehot)/N instead of autodiff through logSoftmax and a one-hot product. Labels < 0 are ignored
 * (Hugging Face's -100 convention); the mean is over the labelled rows.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new ShapeError(
      `softmaxCrossEntropy: logits [N, C] and labels [N] expected, got [${logits.shape}] and [${labels.shape}]`,
    );
  }
  if (onNativeBackend() && logits.dtype === 'float32') return nativeSoftmaxCrossEntropy(logits, labels);
  const numClasses = logits.shape[1]!;
  return tf.tidy(() => {
    const valid = tf.cast(tf.greaterEqual(labels, 0), 'float32');
    const safeLabels = tf.cast(tf.mul(tf.cast(labels, 'float32'), valid), 'int32');
    const onehot = tf.mul(tf.oneHot(safeLabels, numClasses), tf.expandDims(valid, 1));
    const count = tf.maximum(tf.sum(valid), 1);
    return ceOp(logits, onehot, count);
  });
}

/**
 * Mean cross-entropy of logits [N, C] against target distributions [N, C] (soft labels: a teacher's
 * probabilities, or one-hot rows), −Σ q·log softmax(logits) per row, with the same closed-form gradient
 * (softmax − q)/N. Rows whose targets are all zero are ignored; each other row must sum to 1.
 * @example softTargetCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor2d([[0.5, 0.5]])).dataSync()[0]; // → ln 2 ≈ 0.693
 */
export function softTargetCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  if (
    logits.rank !== 2 ||
    targets.rank !== 2 ||
    targets.shape[0] !== logits.shape[0] ||
    targets.shape[1] !== logits.shape[1]
  ) {
    throw new ShapeError(
      `softTargetCrossEntropy: logits [N, C] and targets [N, C] expected, got [${logits.shape}] and [${targets.shape}]`,
    );
  }
  return tf.tidy(() => {
    const q = tf.cast(targets, 'float32');
    const count = tf.maximum(tf.sum(tf.cast(tf.greater(tf.sum(q, 1), 0), 'float32')), 1);
    return ceOp(logits, q, count);
  });
}

// The gradient assumes every target row sums to 1 (or is all zero): d/dlogits = (softmax·Σq − q)/n.
const ceOp = customGrad(([logits, onehot, count], save) => {
  const logProbs = tf.logSoftmax(logits!);
  save([logProbs, onehot!, count!]);
  return {
    value: tf.div(tf.neg(tf.sum(tf.mul(logProbs, onehot!))), count!),
    gradFunc: (dy, [lp, oh, n]) => {
      const rowHasLabel = tf.sum(oh!, 1, true);
      const grad = tf.div(tf.sub(tf.mul(tf.exp(lp!), rowHasLabel), oh!), n!);
      return [tf.mul(grad, dy), tf.zerosLike(oh!), tf.zerosLike(n!)];
    },
  };
});
