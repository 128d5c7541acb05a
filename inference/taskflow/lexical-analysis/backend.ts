/**
 * Where the LAC network runs: our TypeScript kernels (`js`) or ONNX Runtime's GRU operator
 * (`onnx`). Both take character ids laid end to end and return emission scores [N, numTags].
 */
import { jsEmissions } from './kernels.js';
import type { LacWeights } from './weights.js';

/** Registry key of a backend. */
export type LacBackendKind = 'onnx' | 'js';

/** Runs the BiGRU + emission layer; the CRF decode happens on the caller's side. */
export interface LacBackend {
  readonly kind: LacBackendKind;
  /**
   * Emission scores for `ids` where sequence `b` is `ids[offsets[b]..offsets[b+1]]`.
   * @example
   * await backend.emissions(Int32Array.of(170, 1402), Int32Array.of(0, 2)); // Float32Array(114)
   */
  emissions(ids: Int32Array, offsets: Int32Array): Promise<Float32Array>;
  /** Frees native resources (an ORT session); optional for backends that hold none. */
  release?(): Promise<void>;
}

/**
 * The plain TypeScript backend: always available, no native code.
 * @example
 * const backend = new JsLacBackend(weights);
 * backend.kind; // 'js'
 */
export class JsLacBackend implements LacBackend {
  readonly kind = 'js';

  constructor(private readonly weights: LacWeights) {}

  emissions(ids: Int32Array, offsets: Int32Array): Promise<Float32Array> {
    return Promise.resolve(jsEmissions(this.weights, ids, offsets));
  }
}
