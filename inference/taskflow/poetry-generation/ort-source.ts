import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { LogitsSource } from '../../../framework/generation/base.js';
import { leftPad } from '../../../framework/generation/left-pad.js';
import type { GptConfig } from './gpt-config.js';
import { cacheNames } from './graph.js';

type Ort = typeof import('onnxruntime-node');

/**
 * Cached decoding on ONNX Runtime over the graph of {@link buildGptGraph}: the prompts run once, then
 * each step is one `session.run` on one new token per row, feeding the previous call's present
 * keys/values back as past (rows gathered on the host when beams reorder them).
 * @example
 * const source = new OrtCachedSource(ort, session, config);
 * const run = await generate(source, [[2, 17]], { strategy: 'beam_search', beamSize: 4, eosTokenId: 3 });
 */
export class OrtCachedSource implements LogitsSource {
  private cache: OrtTensor[] = []; // per layer: key, value
  private mask: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private lastPosition: number[] = [];

  constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    readonly config: GptConfig,
  ) {}

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  private async run(
    ids: Int32Array,
    positions: Int32Array,
    mask: Int32Array,
    rows: number,
    seq: number,
    past: OrtTensor[],
  ): Promise<Float32Array> {
    const ort = this.ort;
    const feeds: Record<string, OrtTensor> = {
      input_ids: new ort.Tensor('int32', ids, [rows, seq]),
      position_ids: new ort.Tensor('int32', positions, [rows, seq]),
      attention_mask: new ort.Tensor('int32', mask, [rows, mask.length / rows]),
    };
    for (let i = 0; i < this.config.numLayers; i++) {
      const n = cacheNames(i);
      feeds[n.pastKey] = past[2 * i]!;
      feeds[n.pastValue] = past[2 * i + 1]!;
    }
    const out = await this.session.run(feeds);
    this.cache = [];
    for (let i = 0; i < this.config.numLayers; i++) {
      const n = cacheNames(i);
      this.cache.push(out[n.presentKey]!, out[n.presentValue]!);
    }
    this.mask = mask;
    return out['logits']!.data as Float32Array;
  }

  async start(prompts: readonly (readonly number[])[]): Promise<Float32Array> {
    const c = this.config;
    const headDim = c.hiddenSize / c.numHeads;
    const packed = leftPad(prompts, c.padTokenId);
    const empty = new this.ort.Tensor('float32', new Float32Array(0), [prompts.length, c.numHeads, 0, headDim]);
    this.lastPosition = packed.lengths.map((n) => n - 1);
    return this.run(
      packed.ids,
      packed.positions,
      packed.mask,
      prompts.length,
      packed.width,
      Array.from({ length: 2 * c.numLayers }, () => empty),
    );
  }

  async step(parents: readonly number[], tokens: readonly number[]): Promise<Float32Array> {
    const rows = parents.length;
    const oldRows = this.lastPosition.length;
    const identity = rows === oldRows && parents.every((p, r) => p === r);
    const total = this.mask.length / oldRows;
    const mask = new Int32Array(rows * (total + 1));
    parents.forEach((p, r) => {
      mask.set(this.mask.subarray(p * total, (p + 1) * total), r * (total + 1));
      mask[r * (total + 1) + total] = 1;
    });
    const past = identity ? this.cache : this.cache.map((t) => gatherRows(this.ort, t, parents));
    const positions = Int32Array.from(parents, (p) => this.lastPosition[p]! + 1);
    this.lastPosition = [...positions];
    return this.run(Int32Array.from(tokens), positions, mask, rows, 1, past);
  }

  dispose(): void {
    this.cache = [];
    this.mask = new Int32Array(0);
    this.lastPosition = [];
  }
}

/** Rows `index` of a [rows, …] float tensor, on the host. */
function gatherRows(ort: Ort, t: OrtTensor, index: readonly number[]): OrtTensor {
  const dims = t.dims;
  const rowSize = dims.slice(1).reduce((a, b) => a * b, 1);
  const src = t.data as Float32Array;
  const out = new Float32Array(index.length * rowSize);
  index.forEach((p, r) => out.set(src.subarray(p * rowSize, (p + 1) * rowSize), r * rowSize));
  return new ort.Tensor('float32', out, [index.length, ...dims.slice(1)]);
}
