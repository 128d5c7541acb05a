/**
 * Softmax cross-entropy against integer labels as one ORT call on the native backend: the graph returns each row's
 * log-sum-exp and the whole gradient (softmax / n); the label terms (one value a row) are read and written on the
 * host. The tfjs form (logSoftmax, one-hot, product, sum, and four more passes backward) made ~10 passes over an
 * MLM head's [masked positions × 21,128] logits.
 */
import { NativeSession } from '../backend/ort-binding.js';
import { tf, type Tensor } from '../backend/tf.js';
import { GraphBuilder } from '../onnx/graph.js';
import { OnnxType } from '../onnx/proto.js';
import { customGrad } from './custom-grad.js';

let session: NativeSession | undefined;

function crossEntropySession(): NativeSession {
  if (session) return session;
  const g = new GraphBuilder('softmax-cross-entropy');
  const logits = g.input('logits', OnnxType.FLOAT, ['N', 'C']);
  const invCount = g.input('inv_count', OnnxType.FLOAT, []);
  const axes = g.ints('axes', [1]);
  const max = g.op('ReduceMax', [logits], { attributes: { axes: [1], keepdims: 1 } });
  const exp = g.op('Exp', [g.op('Sub', [logits, max])]);
  const sum = g.op('ReduceSum', [exp, axes], { attributes: { keepdims: 1 } });
  g.output(g.op('Mul', [exp, g.op('Div', [invCount, sum])], { names: ['grad'] }), OnnxType.FLOAT, ['N', 'C']);
  g.output(g.op('Add', [g.op('Log', [sum]), max], { names: ['lse'] }), OnnxType.FLOAT, ['N', 1]);
  session = NativeSession.create(g.encode(), { name: 'softmax cross-entropy' });
  return session;
}

/**
 * Mean cross-entropy of logits [N, C] against labels [N] (labels < 0 ignored) and its gradient (softmax − onehot)/n,
 * on the native backend. Same value and gradient as `softmaxCrossEntropy`'s tfjs form.
 */
export const nativeSoftmaxCrossEntropy = (logits: Tensor, labels: Tensor): Tensor => {
  const [rows, classes] = logits.shape as [number, number];
  const labelValues = labels.dataSync();
  let count = 0;
  for (let i = 0; i < rows; i++) if (labelValues[i]! >= 0) count++;
  const n = Math.max(count, 1);
  const op = customGrad(([x], save) => {
    const values = x!.dataSync();
    const data = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    const out = crossEntropySession().run(
      {
        logits: { type: 'float32', dims: [rows, classes], data },
        inv_count: { type: 'float32', dims: [], data: Float32Array.of(1 / n) },
      },
      ['grad', 'lse'],
    );
    const grad = out['grad']!.data as Float32Array;
    const lse = out['lse']!.data as Float32Array;
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const label = labelValues[i]!;
      if (label < 0) {
        grad.fill(0, i * classes, (i + 1) * classes);
        continue;
      }
      loss += lse[i]! - data[i * classes + label]!;
      grad[i * classes + label]! -= 1 / n;
    }
    const gradient = tf.tensor(grad, [rows, classes], 'float32');
    save([gradient]);
    return {
      value: tf.scalar(loss / n),
      gradFunc: (dy, [g]) => {
        const scale = dy.dataSync()[0]!;
        return [scale === 1 ? tf.clone(g!) : tf.mul(g!, scale)];
      },
    };
  });
  return op(logits);
};
