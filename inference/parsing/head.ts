/**
 * The biaffine parser's head (Dozat & Manning 2017, as DDParser): shapes and weight names shared by
 * training (tfjs) and export (ONNX). Weights are stored [in, out] (MatMul's B), under `parser.*`:
 * - `parser.{arc_dep,arc_head,rel_dep,rel_head}.{weight,bias}`: MLPs with LeakyReLU(0.1) on the word vectors;
 * - `parser.arc_biaffine` [arc + 1, arc]: `s_arc[d, h] = [dep_d; 1] · W · head_h` (the `1` row is the
 *   bias on the head side);
 * - `parser.rel_biaffine` [rel + 1, labels · (rel + 1)]: `s_rel[d, r, h] = [dep_d; 1] · U_r · [head_h; 1]`.
 */

/** What the head is built from (JSON-safe; stored in the bundle). */
export interface ParserHeadConfig {
  /** Width of the arc MLPs (DDParser: 500 on ERNIE; ours 128 on a 256-wide encoder). */
  readonly arcSize: number;
  /** Width of the relation MLPs. */
  readonly relSize: number;
  /** Dependency relation labels, in score order. */
  readonly labels: readonly string[];
}

/** Names and shapes of the head's weights for an encoder of width `hidden`. */
export function parserHeadShapes(hidden: number, head: ParserHeadConfig): Map<string, number[]> {
  const { arcSize: a, relSize: r } = head;
  const n = head.labels.length;
  return new Map<string, number[]>([
    ['parser.arc_dep.weight', [hidden, a]], ['parser.arc_dep.bias', [a]],
    ['parser.arc_head.weight', [hidden, a]], ['parser.arc_head.bias', [a]],
    ['parser.rel_dep.weight', [hidden, r]], ['parser.rel_dep.bias', [r]],
    ['parser.rel_head.weight', [hidden, r]], ['parser.rel_head.bias', [r]],
    ['parser.arc_biaffine', [a + 1, a]],
    ['parser.rel_biaffine', [r + 1, n * (r + 1)]],
  ]);
}

/** Slope of the MLPs' LeakyReLU for negative inputs. */
export const LEAKY_SLOPE = 0.1;
