/**
 * A parser bundle, self-contained for ONNX Runtime:
 *
 *     BUNDLE/model.onnx     encoder + biaffine head, ending in arc and relation scores
 *     BUNDLE/tokenizer/     vocab.txt (the trimmed vocabulary), tokenizer.json, tokenizer_config.json
 *     BUNDLE/parser.json    head config (labels), token limit, graph facts, training source and metrics
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { BundleError } from '../../../framework/errors.js';
import type { BertConfig } from '../../../framework/model/config.js';
import type { BertTokenizer } from '../../../framework/tokenizer/index.js';
import type { Fusion, Precision } from '../../../framework/onnx/choices.js';
import { WeightReader } from '../../../framework/onnx/weights.js';
import { graphFacts, readBundleManifest, type GraphFacts } from '../bundle-manifest.js';
import { buildParserGraph } from './graph.js';
import type { ParserHeadConfig } from './head.js';

export const PARSER_FORMAT_VERSION = 1;

/** `parser.json`. */
export interface ParserManifest {
  readonly format: 'fewprompt-parser';
  readonly formatVersion: number;
  readonly createdAt: string;
  readonly head: ParserHeadConfig;
  /** Most tokens per sentence, `[CLS]` and `[SEP]` included. */
  readonly maxTokens: number;
  readonly model: GraphFacts;
  /** Where the weights came from and what they scored (free-form, JSON). */
  readonly source: Record<string, unknown>;
}

/** What {@link writeParserBundle} writes. */
export interface ParserBundleSpec {
  readonly config: BertConfig;
  /** Encoder weights (canonical names) and head weights (`parser.*`). */
  readonly weights: ReadonlyMap<string, HostTensor>;
  readonly head: ParserHeadConfig;
  readonly tokenizer: BertTokenizer;
  readonly maxTokens: number;
  readonly precision: Precision;
  readonly fusion?: Fusion;
  readonly source: Record<string, unknown>;
}

/**
 * Writes a bundle; returns its manifest.
 * @example
 * await writeParserBundle('models/taskflow/dependency-parsing', {
 *   config,
 *   weights,
 *   head,
 *   tokenizer,
 *   maxTokens: 256,
 *   precision: 'fp16',
 *   source: {},
 * });
 */
export async function writeParserBundle(dir: string, spec: ParserBundleSpec): Promise<ParserManifest> {
  const fusion = spec.fusion ?? 'contrib';
  const maxTokens = Math.min(spec.maxTokens, spec.config.maxPositionEmbeddings - spec.config.positionOffset);
  const { bytes, nodes } = buildParserGraph(spec.config, new WeightReader(spec.weights, 'parser weights'), spec.head, {
    precision: spec.precision,
    fusion,
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  await spec.tokenizer.save(join(dir, 'tokenizer'));
  const manifest: ParserManifest = {
    format: 'fewprompt-parser',
    formatVersion: PARSER_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    head: spec.head,
    maxTokens,
    model: graphFacts(spec.config, spec.precision, fusion, nodes),
    source: spec.source,
  };
  writeFileSync(join(dir, 'parser.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Reads and checks `parser.json`; a `BundleError` names what is wrong. */
export function readParserManifest(dir: string): ParserManifest {
  const file = join(dir, 'parser.json');
  const manifest = readBundleManifest<ParserManifest>(
    dir,
    'parser.json',
    'fewprompt-parser',
    PARSER_FORMAT_VERSION,
    'parser bundle',
  );
  if (!Array.isArray(manifest.head?.labels) || manifest.head.labels.length === 0)
    throw new BundleError(`${file}: field head.labels must be a non-empty list`);
  if (!Number.isInteger(manifest.maxTokens) || manifest.maxTokens < 3)
    throw new BundleError(`${file}: field maxTokens must be an integer ≥ 3, got ${String(manifest.maxTokens)}`);
  return manifest;
}
