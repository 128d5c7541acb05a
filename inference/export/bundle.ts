/**
 * `exportBundle`: a training run directory (`fewprompt train --out DIR`) → a self-contained bundle:
 *
 *     BUNDLE/model.onnx        the graph, ending in label scores
 *     BUNDLE/tokenizer/        vocab.txt, tokenizer.json, tokenizer_config.json
 *     BUNDLE/bundle.json       method, labels, template, verbalizer, input limits, source run + metrics, versions
 *
 * Nothing in it needs tfjs or fewprompt's training code; Python onnxruntime loads `model.onnx` too
 * (standard opset 17 plus documented `com.microsoft` operators).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeDirAtomic } from '../../framework/checkpoint/atomic.js';
import { join } from 'node:path';
import { tf, tidyRead } from '../../framework/backend/tf.js';
import { readSafetensors } from '../../framework/checkpoint/safetensors.js';
import { loadStateDict } from '../../framework/checkpoint/state-dict.js';
import { ExportError } from '../../framework/errors.js';
import { readBertConfig, type BertConfig } from '../../framework/model/config.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { PromptEncoder, type PromptTemplate } from '../../templates/index.js';
import type { ManualVerbalizer } from '../../verbalizers/index.js';
import { GraphBuilder } from '../../framework/onnx/graph.js';
import { BertGraph } from '../../framework/model/bert-graph.js';
import type { Fusion, Precision } from '../../framework/onnx/choices.js';
import { Int8EmbeddingBertGraph } from './int8-embeddings.js';
import { BUNDLE_FORMAT_VERSION, type BundleManifest } from './manifest.js';
import { readJson, type RunSpec } from './method-spec.js';
import { WeightReader, type FloatWeight } from '../../framework/onnx/weights.js';
import { packagePath } from '../../framework/package-paths.js';

export { readJson, readRunSpec, type MethodSpec, type RunSpec } from './method-spec.js';

export { BUNDLE_FORMAT_VERSION, type BundleManifest } from './manifest.js';

/** Options of {@link buildClassifierGraph} and {@link exportBundle}. */
export interface GraphOptions {
  readonly precision?: Precision;
  readonly fusion?: Fusion;
  /** `int8-rows`: the word-embedding table in int8 rows with a scale each (about a third of the file). */
  readonly wordEmbeddings?: 'float' | 'int8-rows';
}

/** What a method's export head is given. */
export interface HeadContext {
  readonly spec: RunSpec;
  readonly config: BertConfig;
  readonly tokenizer: BertTokenizer;
  /** The method's own trained weights (`method.safetensors`), by name. */
  readonly methodWeights: WeightReader;
}

/** What a method's head contributes to an export: how inputs are laid out, and the graph after the encoder. */
export interface HeadPlan {
  readonly template?: PromptTemplate;
  readonly verbalizer?: ManualVerbalizer;
  /** P-Tuning: soft-prompt rows appended to the vocabulary (slot k is fed as id `vocabSize + k`). */
  readonly softRows?: FloatWeight;
  /** EFL: every input is paired with each label's text through template field `field`. */
  readonly pairs?: { readonly field: string; readonly texts: string[] };
  /** Adds the head on the encoder's output `hidden`; it must end in output `scores` float [batch, labels]. */
  emit(bert: BertGraph, hidden: string): void;
}

/** A method's export head (each method folder in experiments/methods owns one). */
export type ClassifierHead = (context: HeadContext) => HeadPlan;

/** The classifier graph from config + weights and the method's head; returns the ONNX bytes and node counts. */
export function buildClassifierGraph(
  spec: RunSpec,
  head: ClassifierHead,
  config: BertConfig,
  weights: WeightReader,
  methodWeights: WeightReader,
  tokenizer: BertTokenizer,
  options: GraphOptions = {},
): { bytes: Uint8Array; nodesPerLayer: number; nodes: number; plan: HeadPlan } {
  const g = new GraphBuilder(`fewprompt-${spec.kind}`);
  const plan = head({ spec, config, tokenizer, methodWeights });
  const Graph = options.wordEmbeddings === 'int8-rows' ? Int8EmbeddingBertGraph : BertGraph;
  const bert = new Graph(g, config, weights, {
    fusion: options.fusion ?? 'contrib',
    precision: options.precision ?? 'fp32',
    ...(plan.softRows ? { softRows: plan.softRows } : {}),
  });
  plan.emit(bert, bert.encode());
  const counts = g.countByScope();
  return { bytes: g.encode(), nodesPerLayer: counts.get('layer.0') ?? 0, nodes: g.nodes.length, plan };
}

/**
 * P-Tuning's soft prompt as it enters the encoder: the trained embeddings through the trained prompt encoder
 * (LSTM / MLP), computed once here — at inference the prompt is a constant table of rows [soft tokens, hidden].
 */
export function softPromptRows(
  template: PromptTemplate,
  tokenizer: BertTokenizer,
  methodWeights: WeightReader,
  hiddenSize: number,
): FloatWeight {
  const table = template.softTableFor(tokenizer);
  if (table.initTokenIds.length === 0) throw new ExportError('a P-Tuning export needs a template with soft tokens');
  const encoder = new PromptEncoder(
    table.encoder,
    hiddenSize,
    table.hiddenSize ?? hiddenSize,
    () => undefined as never,
  );
  const tensor = (w: FloatWeight) => tf.tensor(w.data, [...w.shape], 'float32');
  const rows = tidyRead(
    () =>
      encoder.encode(tensor(methodWeights.get('method.prompt.embeddings')), (name) =>
        tensor(methodWeights.get(`method.prompt.encoder.${name}`)),
      ),
    (t) => t.dataSync() as Float32Array,
  );
  return { data: Float32Array.from(rows), shape: [table.initTokenIds.length, hiddenSize] };
}

function packageVersion(): string {
  try {
    return String(
      (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string }).version ?? 'unknown',
    );
  } catch {
    return 'unknown';
  }
}

/** Text fields the head's template reads, in order, less the pair field; `text_a` without a template. */
function textFieldsOf(plan: HeadPlan): string[] {
  const fields = (plan.template?.parsed.blocks ?? []).flatMap((b) =>
    b.kind === 'text' && b.field !== plan.pairs?.field ? [b.field] : [],
  );
  return fields.length > 0 ? fields : ['text_a'];
}

/**
 * Exports a run as a bundle directory through its method's head (`exportRun` in experiments/ looks the head up by the
 * run's kind).
 * @example
 * const manifest = await exportBundle(readRunSpec('/tmp/run-pet'), petHead, '/tmp/bundle', { precision: 'int8' });
 * manifest.model.nodesPerLayer; // → 10 (fused, int8)
 */
export async function exportBundle(
  spec: RunSpec,
  head: ClassifierHead,
  out: string,
  options: GraphOptions = {},
): Promise<BundleManifest> {
  return writeBundleDir(out, (dir) => writeBundle(spec, head, dir, options));
}

/**
 * Writes a bundle directory through `fill` into a temporary sibling that then replaces `out`: a failed export (a full
 * disk, a bad run) leaves the previous bundle whole, and disk errors become one ExportError line.
 */
export async function writeBundleDir<T>(out: string, fill: (dir: string) => Promise<T>): Promise<T> {
  try {
    return await writeDirAtomic(out, fill);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC')
      throw new ExportError(`${out}: no space left on the device; the previous bundle (if any) is unchanged`);
    if (code === 'EACCES' || code === 'EROFS')
      throw new ExportError(`${out}: cannot write there (${code}); the previous bundle (if any) is unchanged`);
    throw error;
  }
}

/** The bundle files written into `out` (an existing directory). */
export async function writeBundle(
  spec: RunSpec,
  head: ClassifierHead,
  out: string,
  options: GraphOptions,
): Promise<BundleManifest> {
  const modelDir = join(spec.dir, 'model');
  if (!existsSync(modelDir))
    throw new ExportError(`run ${spec.dir}: no model/ directory (train with --out, which saves the model)`);
  const config = readBertConfig(modelDir);
  const tokenizer = await BertTokenizer.fromPretrained(modelDir);
  const methodFile = join(spec.dir, 'method.safetensors');
  const methodWeights = new WeightReader(existsSync(methodFile) ? readSafetensors(methodFile) : new Map(), methodFile);
  const graph = buildClassifierGraph(
    spec,
    head,
    config,
    new WeightReader(loadStateDict(modelDir), modelDir),
    methodWeights,
    tokenizer,
    options,
  );
  const { plan } = graph;
  mkdirSync(join(out, 'tokenizer'), { recursive: true });
  writeFileSync(join(out, 'model.onnx'), graph.bytes);
  await tokenizer.save(join(out, 'tokenizer'));
  for (const f of ['vocab.txt'])
    if (existsSync(join(modelDir, f))) copyFileSync(join(modelDir, f), join(out, 'tokenizer', f));
  const metricsFile = join(spec.dir, 'metrics.json');
  const manifest: BundleManifest = {
    format: 'fewprompt-bundle',
    formatVersion: BUNDLE_FORMAT_VERSION,
    fewpromptVersion: packageVersion(),
    createdAt: new Date().toISOString(),
    method: spec.kind,
    labels: spec.labels,
    textFields: spec.textFields ?? textFieldsOf(plan),
    ...(plan.pairs ? { pairs: plan.pairs } : {}),
    maxSeqLen: Math.min(spec.maxSeqLen, config.maxPositionEmbeddings - config.positionOffset),
    ...(plan.template ? { template: plan.template.getConfig() } : {}),
    ...(plan.verbalizer ? { verbalizer: plan.verbalizer.getConfig() } : {}),
    model: {
      file: 'model.onnx',
      precision: options.precision ?? 'fp32',
      fusion: options.fusion ?? 'contrib',
      positionOffset: config.positionOffset,
      ...(plan.softRows ? { softTokenOffset: config.vocabSize } : {}),
      maxPositionEmbeddings: config.maxPositionEmbeddings,
      hiddenSize: config.hiddenSize,
      numHiddenLayers: config.numHiddenLayers,
      nodesPerLayer: graph.nodesPerLayer,
      nodes: graph.nodes,
      ...(options.wordEmbeddings === 'int8-rows' ? { wordEmbeddings: 'int8-rows' as const } : {}),
    },
    source: {
      run: spec.dir,
      ...(existsSync(metricsFile) ? { metrics: readJson(metricsFile, `run ${spec.dir}`) } : {}),
    },
  };
  writeFileSync(join(out, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
