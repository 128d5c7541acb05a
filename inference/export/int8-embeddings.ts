/**
 * An encoder graph whose word-embedding table is stored as int8 (one scale per row, symmetric ±127)
 * and turned back into float32 by `Cast` + `Mul` on initializers, which ORT folds into a constant when
 * the session loads. The `int8` precision of {@link BertGraph} quantises the encoder's MatMuls only; the
 * table (vocabulary × hidden, 21,128 × 256 for the default model) is then most of the file — as
 * float32, 21.6 MB of a 25 MB bundle. With this graph the same bundle is about 9 MB. The table is read
 * by row (a lookup) and by the tied PET decoder; a per-row scale bounds each row's error by half a step.
 */
import { OnnxType } from '../../framework/onnx/proto.js';
import { BertGraph } from '../../framework/model/bert-graph.js';
import type { FloatWeight } from '../../framework/onnx/weights.js';

const WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight';

/**
 * Rows of `w` [rows, cols] as int8 with one float scale per row (max |row| / 127).
 * @example
 * quantizeRows(Float32Array.of(1, -0.5, 0, 0.25), 2, 2);
 * // { values: Int8Array [127, -63, 0, 127], scales: [1/127, 0.25/127] }
 */
export function quantizeRows(w: Float32Array, rows: number, cols: number): { values: Int8Array; scales: Float32Array } {
  const values = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(w[r * cols + c]!));
    const scale = max === 0 ? 1 : max / 127;
    scales[r] = scale;
    for (let c = 0; c < cols; c++)
      values[r * cols + c] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c]! / scale)));
  }
  return { values, scales };
}

/**
 * {@link BertGraph} with the word-embedding table in int8 rows (every other weight as the precision says).
 * @example
 * const bert = new Int8EmbeddingBertGraph(g, config, weights, { fusion: 'contrib', precision: 'int8' });
 * bert.encode(); // same inputs and output as BertGraph
 */
export class Int8EmbeddingBertGraph extends BertGraph {
  override weight(name: string, value: FloatWeight | Float32Array, dims?: readonly number[]): string {
    if (name !== WORD_EMBEDDINGS || value instanceof Float32Array || value.shape.length !== 2)
      return super.weight(name, value, dims);
    const [rows, cols] = value.shape as [number, number];
    const q = quantizeRows(value.data, rows, cols);
    const g = this.g;
    const scope = g.scope;
    g.scope = 'dequantize/';
    const asFloat = g.op('Cast', [g.init(`${name}.int8`, [rows, cols], q.values)], {
      attributes: { to: OnnxType.FLOAT },
    });
    const out = g.op('Mul', [asFloat, g.init(`${name}.row_scale`, [rows, 1], q.scales)]);
    g.scope = scope;
    return out;
  }
}
