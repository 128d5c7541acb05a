import { registerNativeBackend } from '../backend/native.js';
import { registerSegmentSum } from '../backend/segment-sum.js';
import { tf } from '../backend/tf.js';
import { registerWasmBatchMatMul } from '../backend/wasm-batch-matmul.js';

/**
 * Backends every numeric test runs on: the reference JS backend, the wasm backend we ship kernels for, and the
 * native backend (ONNX Runtime kernels, fused encoder layers) that training uses by default.
 */
export const TEST_BACKENDS = ['cpu', 'wasm', 'native'] as const;

let wasmLoaded = false;

/** Switches tfjs to `name` (loading wasm and our kernels on first use). */
export async function useBackend(name: (typeof TEST_BACKENDS)[number]): Promise<void> {
  if (name === 'wasm' && !wasmLoaded) {
    await import('@tensorflow/tfjs-backend-wasm');
    registerSegmentSum('wasm');
    registerWasmBatchMatMul();
    wasmLoaded = true;
  }
  if (name === 'cpu') registerSegmentSum('cpu');
  if (name === 'native') registerNativeBackend();
  await tf.setBackend(name);
  await tf.ready();
}
