// Child process for wasm-threads.test.ts: initialises the backend as FEWPROMPT_WASM_THREADS says, runs a seeded
// product and a tiny BERT forward pass, prints the thread count and the outputs as JSON, and must then exit by itself.
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../select.js';
import { tf } from '../tf.js';
import { BertModel } from '../../model/bert.js';
import { TINY_RANDOM_CONFIG } from '../../testing/tiny-bert.js';

const backend = await initBackend();
const a = tf.randomNormal([96, 384], 0, 1, 'float32', 1);
const b = tf.randomNormal([384, 200], 0, 1, 'float32', 2);
const product = Array.from(tf.matMul(a, b).dataSync());
const model = BertModel.create(TINY_RANDOM_CONFIG, { pooler: false, mlmHead: false }, 3);
const ids = tf.tensor2d(
  [
    [101, 2769, 4263, 102, 0],
    [101, 1962, 102, 0, 0],
  ],
  [2, 5],
  'int32',
);
const mask = tf.tensor2d(
  [
    [1, 1, 1, 1, 0],
    [1, 1, 1, 0, 0],
  ],
  [2, 5],
  'int32',
);
const hidden = Array.from(
  model.encode({ inputIds: ids, attentionMask: mask }, { training: false, seed: 0 }).dataSync(),
);
console.log(JSON.stringify({ backend, threads: wasm.getThreadsCount(), product, hidden }));
