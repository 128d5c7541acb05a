/**
 * The biaffine parser's head (Dozat & Manning 2017, as DDParser): shapes and weight names shared by
 * training (tfjs) and export (ONNX). Weights are stored [in, out] (MatMul's B), under `parser.*`:
 * - `parser.{arc_dep,arc_head,rel_dep,rel_head}.{weight,bias}`: MLPs with LeakyReLU(0.1) on the word vectors;
 * - `parser.arc_biaffine` [arc + 1, arc]: `s_arc[d, h] = [dep_d; 1] · W · head_h` (the `1` row is the
 *   bias on the head side);
 * - `parser.rel_biaffine` [rel + 1, labels · (rel + 1)]: `s_rel[d, r, h] = [dep_d; 1] · U_r · [head_h; 1]`;
 * - with `tags`: `parser.tag_embedding` [tags + 2, tagSize] (rows 0 = root, 1 = unknown; see word-tags.ts),
 *   concatenated to each word vector before the MLPs, which then read `hidden + tagSize` inputs;
 * - with `maxDistance` K: `parser.arc_distance` [2K + 1], a learned bias on `s_arc[d, h]` by the signed
 *   distance `h − d` clipped to [−K, K] (a prior the biaffine product learns only slowly from positions).
 */
import { ConfigError } from '../../../framework/errors.js';

/** What the head is built from (JSON-safe; stored in the bundle). */
export interface ParserHeadConfig {
  /** Width of the arc MLPs (DDParser: 500 on ERNIE; ours 128 on a 256-wide encoder). */
  readonly arcSize: number;
  /** Width of the relation MLPs. */
  readonly relSize: number;
  /** Dependency relation labels, in score order. */
  readonly labels: readonly string[];
  /** LAC word tags fed as features, in id order after root and unknown (absent: no tag input). */
  readonly tags?: readonly string[];
  /** Width of the tag embedding (required with `tags`). */
  readonly tagSize?: number;
  /** Clip of the signed head distance of the arc bias (absent: no distance bias). */
  readonly maxDistance?: number;
}

/** Width the MLPs read: the encoder's, plus the tag embedding's when tags are used. */
export function parserInputSize(hidden: number, head: ParserHeadConfig): number {
  return hidden + (head.tags ? (head.tagSize ?? 0) : 0);
}

/** Names and shapes of the head's weights for an encoder of width `hidden`. */
export function parserHeadShapes(hidden: number, head: ParserHeadConfig): Map<string, number[]> {
  const { arcSize: a, relSize: r } = head;
  const n = head.labels.length;
  const d = parserInputSize(hidden, head);
  if (head.tags && !(Number.isInteger(head.tagSize) && head.tagSize! > 0))
    throw new ConfigError(`parser head: tagSize must be a positive integer with tags, got ${String(head.tagSize)}`);
  if (head.maxDistance !== undefined && !(Number.isInteger(head.maxDistance) && head.maxDistance > 0))
    throw new ConfigError(`parser head: maxDistance must be a positive integer, got ${String(head.maxDistance)}`);
  const shapes = new Map<string, number[]>([
    ['parser.arc_dep.weight', [d, a]],
    ['parser.arc_dep.bias', [a]],
    ['parser.arc_head.weight', [d, a]],
    ['parser.arc_head.bias', [a]],
    ['parser.rel_dep.weight', [d, r]],
    ['parser.rel_dep.bias', [r]],
    ['parser.rel_head.weight', [d, r]],
    ['parser.rel_head.bias', [r]],
    ['parser.arc_biaffine', [a + 1, a]],
    ['parser.rel_biaffine', [r + 1, n * (r + 1)]],
  ]);
  if (head.tags) shapes.set('parser.tag_embedding', [head.tags.length + 2, head.tagSize!]);
  if (head.maxDistance) shapes.set('parser.arc_distance', [2 * head.maxDistance + 1]);
  return shapes;
}

/**
 * Index into `parser.arc_distance` for dependent d and head h: clip(h − d, −K, K) + K.
 * @example
 * distanceIndex(1, 2, 4); // 5
 */
export function distanceIndex(d: number, h: number, maxDistance: number): number {
  return Math.max(-maxDistance, Math.min(maxDistance, h - d)) + maxDistance;
}

/** Slope of the MLPs' LeakyReLU for negative inputs. */
export const LEAKY_SLOPE = 0.1;
