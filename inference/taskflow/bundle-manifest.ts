/**
 * What the Taskflow families' bundles share in their manifests (`parser.json`, `qa.json`): the graph's facts, and
 * reading the file back with its format and version checked. Each family checks its own fields after.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError } from '../../framework/errors.js';
import type { BertConfig } from '../../framework/model/config.js';
import type { Fusion, Precision } from '../../framework/onnx/choices.js';

/** A bundle's graph: its file and how it was built. */
export interface GraphFacts {
  readonly file: 'model.onnx';
  readonly precision: Precision;
  readonly fusion: Fusion;
  readonly positionOffset: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly vocabSize: number;
  /** Nodes of the graph. */
  readonly nodes: number;
}

/**
 * The manifest's `model` field for a graph of `nodes` nodes built from `config`.
 * @example graphFacts(config, 'int8', 'contrib', 412).vocabSize; // → 21128
 */
export function graphFacts(config: BertConfig, precision: Precision, fusion: Fusion, nodes: number): GraphFacts {
  return {
    file: 'model.onnx',
    precision,
    fusion,
    positionOffset: config.positionOffset,
    hiddenSize: config.hiddenSize,
    numHiddenLayers: config.numHiddenLayers,
    vocabSize: config.vocabSize,
    nodes,
  };
}

/**
 * Reads `dir/name`, checks its `format` and `formatVersion` and that its graph file exists; a `BundleError` names
 * what is wrong (`what`: the kind of bundle, for the message).
 * @example
 * readBundleManifest<QaManifest>(dir, 'qa.json', 'fewprompt-qa', 1, 'question-answering bundle').model.precision;
 * // → 'int8'; throws BundleError '…: not a question-answering bundle (no qa.json)' where there is none
 */
export function readBundleManifest<T extends { readonly model: { readonly file: string } }>(
  dir: string,
  name: string,
  format: string,
  version: number,
  what: string,
): T {
  const file = join(dir, name);
  if (!existsSync(file)) throw new BundleError(`${dir}: not a ${what} (no ${name})`);
  let manifest: T & { format?: unknown; formatVersion?: unknown };
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new BundleError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (manifest.format !== format || manifest.formatVersion !== version)
    throw new BundleError(
      `${file}: format ${String(manifest.format)} v${String(manifest.formatVersion)}, expected ${format} v${version}`,
    );
  if (!existsSync(join(dir, manifest.model?.file ?? 'model.onnx')))
    throw new BundleError(`${dir}: model.onnx is missing`);
  return manifest;
}
