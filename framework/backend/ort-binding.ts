/**
 * The synchronous session of onnxruntime-node's native binding — the one place fewprompt touches it.
 *
 * `onnxruntime-node`'s public `InferenceSession.run` wraps the binding's `run` in a Promise; tfjs kernels are
 * synchronous, so the native training backend calls the binding directly (`loadModel(buffer, offset, length,
 * options)`, `run(feeds, fetches, options)` returning the outputs). This is an internal API: package.json pins
 * onnxruntime-node to one exact version, and {@link loadOrtBinding} checks the binding's shape and throws a
 * {@link BackendError} naming the module when it changes (`ort-binding.test.ts` runs that check).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { BackendError } from '../errors.js';

/** The module whose shape this file depends on. */
export const ORT_BINDING_MODULE = 'onnxruntime-node/dist/binding.js';

/** Element types the native path feeds and fetches. */
export type NativeDataType = 'float32' | 'int32' | 'int64' | 'bool';

/** A host tensor as the binding reads and returns it (data in ordinary, non-shared memory). */
export interface NativeTensor {
  readonly type: NativeDataType;
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

interface BindingSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: Record<string, unknown>): void;
  run(
    feeds: Record<string, unknown>,
    fetches: Record<string, null>,
    options: Record<string, unknown>,
  ): Record<string, NativeTensor>;
  dispose(): void;
}

interface Binding {
  InferenceSession: new () => BindingSession;
}

let loaded: Binding | undefined;

/**
 * Loads the binding once and checks that it still has the shape this file uses.
 * @throws BackendError naming {@link ORT_BINDING_MODULE} when the module is missing or its shape changed.
 */
export function loadOrtBinding(): Binding {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  let mod: { binding?: unknown; initOrt?: unknown };
  try {
    mod = require(ORT_BINDING_MODULE) as typeof mod;
  } catch (error) {
    throw new BackendError(`${ORT_BINDING_MODULE} could not be loaded: ${(error as Error).message.split('\n')[0]}`);
  }
  const binding = mod.binding as { InferenceSession?: unknown } | undefined;
  if (typeof mod.initOrt !== 'function' || typeof binding?.InferenceSession !== 'function') {
    throw new BackendError(
      `${ORT_BINDING_MODULE} changed shape: expected exports { binding.InferenceSession, initOrt }, ` +
        `got { ${Object.keys(mod).join(', ')} } (pin onnxruntime-node to the version in package.json)`,
    );
  }
  (mod.initOrt as () => void)();
  const probe = new (binding.InferenceSession as new () => Record<string, unknown>)();
  for (const method of ['loadModel', 'run', 'dispose']) {
    if (typeof probe[method] !== 'function') {
      throw new BackendError(
        `${ORT_BINDING_MODULE} changed shape: InferenceSession has no ${method}() ` +
          '(pin onnxruntime-node to the version in package.json)',
      );
    }
  }
  loaded = binding as Binding;
  return loaded;
}

/**
 * Intra-op threads of the native path: `FEWPROMPT_THREADS`, else every core the process may use.
 * @example nativeThreads(); // 2 on a 2-core machine
 */
export function nativeThreads(): number {
  const raw = process.env['FEWPROMPT_THREADS'];
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 1024) {
      throw new BackendError(`FEWPROMPT_THREADS='${raw}' is not a thread count; expected an integer from 1 to 1024`);
    }
    return n;
  }
  return availableParallelism();
}

/** Options of a {@link NativeSession}. */
export interface NativeSessionOptions {
  /** Intra-op threads (default {@link nativeThreads}). */
  readonly threads?: number;
  /** Name under which {@link NativeSession.profile} counts its calls. */
  readonly name?: string;
}

/** Calls and wall milliseconds of one graph while profiling. */
export interface SessionTiming {
  calls: number;
  ms: number;
}

/**
 * One ONNX graph loaded into the binding, run synchronously on host tensors.
 * @example
 * const session = NativeSession.create(graphBytes);
 * const { y } = session.run({ x: { type: 'float32', dims: [2, 3], data } }, ['y']);
 */
export class NativeSession {
  /** Per-graph timings, collected while set (`NativeSession.profile = new Map()`; the engine bench does). */
  static profile: Map<string, SessionTiming> | undefined;

  private constructor(
    private readonly session: BindingSession,
    readonly name: string,
  ) {}

  static create(model: Uint8Array, options: NativeSessionOptions = {}): NativeSession {
    const binding = loadOrtBinding();
    const session = new binding.InferenceSession();
    session.loadModel(model.buffer, model.byteOffset, model.byteLength, {
      intraOpNumThreads: options.threads ?? nativeThreads(),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      enableCpuMemArena: true,
      // Each session owns a thread pool; spinning workers of dozens of idle pools would steal the cores.
      extra: { session: { intra_op: { allow_spinning: process.env['FEWPROMPT_ORT_SPIN'] ?? '0' } } },
    });
    return new NativeSession(session, options.name ?? 'graph');
  }

  /** Runs the graph; every fetched output comes back in a new, plain ArrayBuffer. */
  run(feeds: Readonly<Record<string, NativeTensor>>, fetches: readonly string[]): Record<string, NativeTensor> {
    const wire: Record<string, unknown> = {};
    for (const [name, t] of Object.entries(feeds)) {
      // The binding refuses views of shared memory (worker-thread buffers, tfjs-wasm-threads' heap): copy those.
      const data = t.data.buffer instanceof SharedArrayBuffer ? t.data.slice() : t.data;
      wire[name] = { type: t.type, dims: t.dims, data, location: 'cpu' };
    }
    const want: Record<string, null> = {};
    for (const name of fetches) want[name] = null;
    if (!NativeSession.profile) return this.session.run(wire, want, {});
    const t0 = performance.now();
    const out = this.session.run(wire, want, {});
    const timing = NativeSession.profile.get(this.name) ?? { calls: 0, ms: 0 };
    timing.calls++;
    timing.ms += performance.now() - t0;
    NativeSession.profile.set(this.name, timing);
    return out;
  }

  dispose(): void {
    this.session.dispose();
  }
}
