import { ConfigError } from '../errors.js';
import { log } from '../log.js';
import { registerSegmentSum } from './segment-sum.js';
import { registerWasmBatchMatMul } from './wasm-batch-matmul.js';
import { activateThreadedWasm, wasmThreadsFromEnv } from './wasm-threads.js';
import { NATIVE_BACKEND, registerNativeBackend } from './native.js';
import { nativeThreads } from './ort-binding.js';
import { tf } from './tf.js';

/**
 * Backends in order of preference: native TensorFlow (GPU, CPU), then `native` (tfjs's CPU backend with its heavy
 * kernels on ONNX Runtime's MLAS, see native.ts), then WebAssembly, then plain JS.
 */
export const BACKEND_PREFERENCE = ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_PREFERENCE)[number];

let chosen: Promise<BackendName> | undefined;

/** Loads an optional backend package; false when it is not installed or its native part fails to load. */
async function tryLoad(name: BackendName): Promise<boolean> {
  try {
    switch (name) {
      // The native bindings are optional dependencies: their install downloads libtensorflow, which fails
      // on machines without that network access, and then the import throws here.
      case 'tensorflow-gpu':
        await import(String('@tensorflow/tfjs-node-gpu'));
        return true;
      case 'tensorflow':
        await import(String('@tensorflow/tfjs-node'));
        return true;
      case 'native':
        registerNativeBackend();
        return true;
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        void wasm;
        registerSegmentSum('wasm');
        registerWasmBatchMatMul();
        return true;
      }
      case 'cpu':
        registerSegmentSum('cpu');
        return true;
    }
  } catch (error) {
    log.debug(`backend ${name} unavailable: ${(error as Error).message.split('\n')[0]}`);
    return false;
  }
}

async function activate(name: BackendName): Promise<boolean> {
  if (!(await tryLoad(name))) return false;
  // tfjs-node registers its backend under the name 'tensorflow' for both the CPU and GPU builds.
  const registered = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  try {
    if (name === 'wasm') {
      const threads = wasmThreadsFromEnv();
      if (threads > 1 && (await activateThreadedWasm(threads))) {
        wasmThreads = threads;
        return true;
      }
    }
    return await tf.setBackend(name === 'native' ? NATIVE_BACKEND : registered);
  } catch {
    return false;
  }
}

let wasmThreads = 1;

/** The log line's description of a backend: its name and, where it has them, its threads. */
function describe(name: BackendName): string {
  if (name === 'wasm' && wasmThreads > 1) return `wasm (${wasmThreads} threads)`;
  if (name === 'native') return `native (ONNX Runtime MLAS, ${nativeThreads()} threads)`;
  return name;
}

/**
 * Picks the fastest available backend once per process (`FEWPROMPT_BACKEND` overrides) and logs the choice.
 * @example
 * const name = await initBackend(); // 'wasm' on a machine without tfjs-node
 */
export function initBackend(): Promise<BackendName> {
  chosen ??= (async () => {
    const forced = process.env.FEWPROMPT_BACKEND;
    if (forced !== undefined && forced !== '') {
      if (!(BACKEND_PREFERENCE as readonly string[]).includes(forced)) {
        throw new ConfigError(
          `FEWPROMPT_BACKEND='${forced}' is not a backend; expected one of ${BACKEND_PREFERENCE.join(', ')}`,
        );
      }
      const name = forced as BackendName;
      if (!(await activate(name)))
        throw new ConfigError(`FEWPROMPT_BACKEND='${forced}' requested but that backend could not be loaded`);
      log.info(`backend: ${describe(name)} (FEWPROMPT_BACKEND)`);
      return name;
    }
    for (const name of BACKEND_PREFERENCE) {
      if (await activate(name)) {
        log.info(`backend: ${describe(name)}`);
        return name;
      }
    }
    throw new ConfigError('no tfjs backend could be initialised');
  })();
  return chosen;
}

/** The backend chosen by {@link initBackend}, or undefined before it ran. */
export function currentBackend(): string | undefined {
  return chosen === undefined ? undefined : tf.getBackend();
}
