/**
 * The one place fewprompt imports tfjs from. Everything else does `import { tf } from '../backend/tf.js'`,
 * so the backend packages are registered exactly once, before any op runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The gradients of tfjs ops are registered by the union package's Node bundle; tfjs-core's own
// registration module is ESM without file extensions, which Node cannot load.
import '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Tensor1D = tf.Tensor1D;
export type Tensor2D = tf.Tensor2D;
export type Tensor3D = tf.Tensor3D;
export type Variable = tf.Variable;

// Production mode: skips tfjs's debug-only checks and its "install tfjs-node" console nag; the backend
// choice is logged by fewprompt itself.
tf.env().set('PROD', true);
