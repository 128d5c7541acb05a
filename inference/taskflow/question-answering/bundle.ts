/**
 * A reader bundle, self-contained for ONNX Runtime:
 *
 *     BUNDLE/model.onnx     encoder + span head, ending in start_logits and end_logits
 *     BUNDLE/tokenizer/     vocab.txt, tokenizer.json, tokenizer_config.json
 *     BUNDLE/qa.json        window and answer settings, graph facts, training source and metrics
 *
 * Written into a temporary sibling that then replaces the directory: a failed export leaves the previous bundle whole,
 * and what else the directory held (its MODEL_CARD.md, curves) is carried over.
 */
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../../../framework/checkpoint/atomic.js';
import type { HostTensor } from '../../../framework/checkpoint/host-tensor.js';
import { BundleError, ConfigError } from '../../../framework/errors.js';
import type { BertConfig } from '../../../framework/model/config.js';
import type { BertTokenizer } from '../../../framework/tokenizer/index.js';
import type { Fusion, Precision } from '../../../framework/onnx/choices.js';
import { WeightReader } from '../../../framework/onnx/weights.js';
import type { SpanDecodeOptions } from './decode.js';
import { checkWindowOptions, type QaWindowOptions, typesNeeded } from './features.js';
import { graphFacts, readBundleManifest, type GraphFacts } from '../bundle-manifest.js';
import { buildQaGraph } from './graph.js';

export const QA_FORMAT_VERSION = 1;
/** What a bundle write replaces; anything else in the directory stays. */
const BUNDLE_FILES = ['model.onnx', 'tokenizer', 'qa.json'];

/** `qa.json`. */
export interface QaManifest {
  readonly format: 'fewprompt-qa';
  readonly formatVersion: number;
  readonly createdAt: string;
  /** How passages are cut into windows, as in training. */
  readonly windows: QaWindowOptions;
  /** The answer-length cap and the no-answer threshold (the task's defaults). */
  readonly decode: SpanDecodeOptions;
  readonly model: GraphFacts;
  /** Where the weights came from and what they scored (free-form, JSON). */
  readonly source: Record<string, unknown>;
}

/** What {@link writeQaBundle} writes. */
export interface QaBundleSpec {
  readonly config: BertConfig;
  /** Encoder weights (canonical names) and head weights (`qa.*`). */
  readonly weights: ReadonlyMap<string, HostTensor>;
  readonly tokenizer: BertTokenizer;
  readonly windows: QaWindowOptions;
  readonly decode: SpanDecodeOptions;
  readonly precision: Precision;
  readonly fusion?: Fusion;
  readonly source: Record<string, unknown>;
}

/**
 * Writes a bundle; returns its manifest.
 * @example
 * await writeQaBundle('models/taskflow/question-answering', {
 *   config, weights, tokenizer, precision: 'int8', source: {},
 *   windows: { maxSeqLen: 256, docStride: 128, maxQuestionTokens: 64 },
 *   decode: { maxAnswerTokens: 64, threshold: 0.05 },
 * }); // → { format: 'fewprompt-qa', … }
 */
export async function writeQaBundle(dir: string, spec: QaBundleSpec): Promise<QaManifest> {
  const fusion = spec.fusion ?? 'contrib';
  const c = spec.config;
  checkWindowOptions(spec.windows, c.maxPositionEmbeddings - c.positionOffset);
  if (c.typeVocabSize < typesNeeded(spec.windows))
    throw new ConfigError(
      `windows of tokenTypes '${spec.windows.tokenTypes}' need ${typesNeeded(spec.windows)} token types; ` +
        `the encoder has ${c.typeVocabSize}`,
    );
  const { bytes, nodes } = buildQaGraph(c, new WeightReader(spec.weights, 'reader weights'), {
    precision: spec.precision,
    fusion,
  });
  const manifest: QaManifest = {
    format: 'fewprompt-qa',
    formatVersion: QA_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    windows: spec.windows,
    decode: spec.decode,
    model: graphFacts(c, spec.precision, fusion, nodes),
    source: spec.source,
  };
  await writeDirAtomic(dir, async (tmp) => {
    if (existsSync(dir))
      for (const entry of readdirSync(dir))
        if (!BUNDLE_FILES.includes(entry)) cpSync(join(dir, entry), join(tmp, entry), { recursive: true });
    writeFileSync(join(tmp, 'model.onnx'), bytes);
    await spec.tokenizer.save(join(tmp, 'tokenizer'));
    writeFileSync(join(tmp, 'qa.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  });
  return manifest;
}

/** Reads and checks `qa.json`; a `BundleError` names what is wrong. */
export function readQaManifest(dir: string): QaManifest {
  const file = join(dir, 'qa.json');
  const manifest = readBundleManifest<QaManifest>(
    dir,
    'qa.json',
    'fewprompt-qa',
    QA_FORMAT_VERSION,
    'question-answering bundle',
  );
  try {
    checkWindowOptions(manifest.windows ?? ({} as QaWindowOptions), Number.MAX_SAFE_INTEGER);
  } catch (error) {
    throw new BundleError(`${file}: windows: ${(error as Error).message}`);
  }
  const { maxAnswerTokens, threshold } = manifest.decode ?? {};
  if (!Number.isInteger(maxAnswerTokens) || maxAnswerTokens < 1)
    throw new BundleError(`${file}: decode.maxAnswerTokens must be a positive integer, got ${String(maxAnswerTokens)}`);
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1))
    throw new BundleError(`${file}: decode.threshold must be a number in [0, 1], got ${String(threshold)}`);
  return manifest;
}
