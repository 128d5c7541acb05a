/**
 * Float weights of a trained run in host memory, by canonical (Hugging Face) name, with the layout
 * conversions the ONNX graph needs: Linear weights arrive [out, in] and MatMul wants [in, out].
 */
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { CheckpointError } from '../errors.js';

/** A float32 host matrix or vector. */
export interface FloatWeight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Read access to a state dict.
 * @example
 * const w = new WeightReader(loadStateDict('run/model'));
 * w.linear('encoder.layer.0.attention.self.query').shape; // → [256, 256] ([in, out])
 */
export class WeightReader {
  constructor(
    private readonly state: ReadonlyMap<string, HostTensor>,
    private readonly source = 'state dict',
  ) {}

  has(name: string): boolean {
    return this.state.has(name);
  }

  /** A float tensor as stored; throws `CheckpointError` naming the missing key. */
  get(name: string): FloatWeight {
    const t = this.state.get(name);
    if (t === undefined) throw new CheckpointError(`${this.source}: missing weight '${name}'`);
    if (t.dtype !== 'float32')
      throw new CheckpointError(`${this.source}: weight '${name}' is ${t.dtype}, expected float32`);
    return { shape: t.shape, data: t.data };
  }

  /** `${prefix}.weight` transposed to [in, out] (MatMul's B). */
  linear(prefix: string): FloatWeight {
    const w = this.get(`${prefix}.weight`);
    const [out, inDim] = w.shape as [number, number];
    return { shape: [inDim, out], data: transpose(w.data, out, inDim) };
  }

  /** `${prefix}.bias`. */
  bias(prefix: string): Float32Array {
    return this.get(`${prefix}.bias`).data;
  }
}

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  }
  return out;
}

/** [rows, a] ‖ [rows, b] ‖ … → [rows, a + b + …] (column concatenation). */
export function concatColumns(parts: readonly FloatWeight[]): FloatWeight {
  const rows = parts[0]!.shape[0]!;
  const widths = parts.map((p) => p.shape[1]!);
  const total = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let at = r * total;
    parts.forEach((p, i) => {
      out.set(p.data.subarray(r * widths[i]!, (r + 1) * widths[i]!), at);
      at += widths[i]!;
    });
  }
  return { shape: [rows, total], data: out };
}
