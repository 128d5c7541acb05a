/**
 * Dynamic INT8 quantisation of MatMul weights, written here because onnxruntime-node has no
 * quantisation API. Weights are symmetric int8 with one scale per output column (zero point 0), the
 * layout `com.microsoft.DynamicQuantizeMatMul` takes; activations are quantised to uint8 by ORT at
 * run time.
 *
 * Range: ±63 by default, not ±127. On CPUs without AVX-512 VNNI, ORT's u8×s8 kernels sum pairs of
 * products in int16 (`vpmaddubsw`), and 255·127·2 overflows int16; 255·63·2 does not. This is the
 * `reduce_range` choice of ORT's own `quantize_dynamic`, at the cost of one bit of weight precision
 * that per-column scales win back.
 */
import { ShapeError } from '../errors.js';

/** A quantised [rows, cols] weight: int8 values and one float scale per column. */
export interface QuantizedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Int8Array;
  readonly scales: Float32Array;
}

/**
 * Quantises a row-major [rows, cols] matrix (the [in, out] layout of a MatMul's B) per column:
 * `scale_j = max_i |W_ij| / qmax`, `q_ij = round(W_ij / scale_j)`; an all-zero column gets scale 1.
 * @example
 * const q = quantizeColumns(Float32Array.of(1, -3, 0.25, 4), 2, 2, 63);
 * q.scales; // → [1/63, 4/63];  q.values → [63, -47, 16, 63]
 */
export function quantizeColumns(w: Float32Array, rows: number, cols: number, qmax = 63): QuantizedMatrix {
  if (w.length !== rows * cols)
    throw new ShapeError(`quantizeColumns: [${rows}, ${cols}] needs ${rows * cols} values, got ${w.length}`);
  if (!Number.isInteger(qmax) || qmax < 1 || qmax > 127)
    throw new ShapeError(`quantizeColumns: qmax must be an integer in 1..127, got ${qmax}`);
  const scales = new Float32Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const a = Math.abs(w[i * cols + j]!);
      if (a > scales[j]!) scales[j] = a;
    }
  }
  for (let j = 0; j < cols; j++) scales[j] = scales[j]! > 0 ? scales[j]! / qmax : 1;
  const values = new Int8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const q = Math.round(w[i * cols + j]! / scales[j]!);
      values[i * cols + j] = Math.max(-qmax, Math.min(qmax, q));
    }
  }
  return { rows, cols, values, scales };
}

/**
 * The float matrix a quantised one stands for (`q_ij · scale_j`).
 * @example
 * dequantize(quantizeColumns(w, rows, cols)); // ≈ w, each entry within scale_j / 2
 */
export function dequantize(q: QuantizedMatrix): Float32Array {
  const out = new Float32Array(q.rows * q.cols);
  for (let i = 0; i < q.rows; i++) {
    for (let j = 0; j < q.cols; j++) out[i * q.cols + j] = q.values[i * q.cols + j]! * q.scales[j]!;
  }
  return out;
}
