/**
 * Network + CRF in one step: character ids in, the best tag id per character out. This is the
 * unit of work the main thread runs in-line or hands to a worker of a {@link LacWorkerPool}.
 */
import { ConfigError } from '../../../framework/errors.js';
import { JsLacBackend, type LacBackend, type LacBackendKind } from './backend.js';
import { LinearChainCrf } from './crf.js';
import { OnnxLacBackend } from './onnx-backend.js';
import type { LacWeights } from './weights.js';

/** Which backend to build and with how many ORT intra-op threads. */
export interface LacTaggerOptions {
  /** `auto` = ONNX Runtime when it loads, else the TypeScript kernels. */
  readonly backend: LacBackendKind | 'auto';
  /** ONNX Runtime intra-op threads (default 1). */
  readonly threads?: number;
}

/**
 * Emissions from a backend, then Viterbi decoding per sequence.
 * @example
 * const tagger = await LacTagger.create(weights, { backend: 'onnx' });
 * await tagger.tag(Int32Array.of(170, 1402), Int32Array.of(0, 2)); // Int32Array [ 28, 29 ] (tag ids)
 */
export class LacTagger {
  readonly crf: LinearChainCrf;

  /** Frees the backend's native resources; the tagger is unusable afterwards. */
  async release(): Promise<void> {
    await this.backend.release?.();
  }

  constructor(
    readonly backend: LacBackend,
    weights: LacWeights,
  ) {
    this.crf = new LinearChainCrf(weights.config.numTags, weights.crfStart, weights.crfEnd, weights.crfTransitions);
  }

  /** Builds the backend `options` ask for; `onnx` without a loadable ORT throws {@link ConfigError}. */
  static async create(weights: LacWeights, options: LacTaggerOptions): Promise<LacTagger> {
    let backend: LacBackend | undefined;
    if (options.backend !== 'js') {
      backend = await OnnxLacBackend.create(weights, options.threads === undefined ? {} : { threads: options.threads });
      if (!backend && options.backend === 'onnx')
        throw new ConfigError("LAC backend 'onnx' requested but onnxruntime-node could not be loaded");
    }
    return new LacTagger(backend ?? new JsLacBackend(weights), weights);
  }

  /**
   * Best tag ids for sequences laid end to end (sequence `b` is `ids[offsets[b]..offsets[b+1]]`).
   * @example
   * (await tagger.tag(ids, offsets)).length === ids.length; // true
   */
  async tag(ids: Int32Array, offsets: Int32Array): Promise<Int32Array> {
    const emissions = await this.backend.emissions(ids, offsets);
    const out = new Int32Array(ids.length);
    for (let b = 0; b + 1 < offsets.length; b++)
      this.crf.decodeInto(emissions, offsets[b]!, offsets[b + 1]! - offsets[b]!, out, offsets[b]!);
    return out;
  }
}
