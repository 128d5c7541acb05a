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
import type { TemplateConfig } from '../../templates/base.js';
import { PromptEncoder, PromptTemplate } from '../../templates/index.js';
import { ManualVerbalizer, type ManualVerbalizerConfig } from '../../verbalizers/index.js';
import { GraphBuilder } from '../../framework/onnx/graph.js';
import { BertGraph, type Fusion, type Precision } from './bert-graph.js';
import { finetuneHead, petHead } from './heads.js';
import { WeightReader, type FloatWeight } from './weights.js';

/** Methods the exporter supports. */
export const EXPORT_METHODS = ['pet', 'ptuning', 'efl', 'finetune'] as const;
export type ExportMethod = (typeof EXPORT_METHODS)[number];
export const BUNDLE_FORMAT_VERSION = 1;

/** `bundle.json`. */
export interface BundleManifest {
  readonly format: 'fewprompt-bundle';
  readonly formatVersion: number;
  readonly fewpromptVersion: string;
  readonly createdAt: string;
  readonly method: ExportMethod;
  readonly labels: string[];
  /** Fields a text fills, in order (one text → the first; pairs → the first two). */
  readonly textFields: string[];
  readonly maxSeqLen: number;
  readonly template?: TemplateConfig;
  readonly verbalizer?: ManualVerbalizerConfig;
  /** EFL: every input is paired with each label's description (in label order) through `field`; scores = log P(entail). */
  readonly pairs?: { readonly field: string; readonly texts: string[] };
  readonly model: {
    readonly file: 'model.onnx';
    readonly precision: Precision;
    readonly fusion: Fusion;
    readonly positionOffset: number;
    /** P-Tuning: soft slot k of the template is fed as id `softTokenOffset + k` (rows appended to the vocabulary). */
    readonly softTokenOffset?: number;
    readonly maxPositionEmbeddings: number;
    readonly hiddenSize: number;
    readonly numHiddenLayers: number;
    readonly nodesPerLayer: number;
    readonly nodes: number;
  };
  readonly source: { readonly run: string; readonly metrics?: Record<string, unknown> };
}

/** The template field EFL fills with each label's description (as the training method does). */
export const EFL_PAIR_FIELD = 'candidate_label';

/** What a run directory holds, resolved. */
export interface RunSpec {
  readonly dir: string;
  readonly method: ExportMethod;
  readonly labels: string[];
  readonly maxSeqLen: number;
  readonly template?: string;
  readonly labelWords?: Record<string, string[]>;
  /** EFL: label → description sentence. */
  readonly descriptions?: Record<string, string>;
  readonly textFields?: string[];
}

/** Options of {@link buildClassifierGraph} and {@link exportBundle}. */
export interface GraphOptions {
  readonly precision?: Precision;
  readonly fusion?: Fusion;
}

/** The classifier graph from config + weights; returns the ONNX bytes and node counts. */
export function buildClassifierGraph(
  spec: RunSpec,
  config: BertConfig,
  weights: WeightReader,
  methodWeights: WeightReader,
  tokenizer: BertTokenizer,
  options: GraphOptions = {},
): {
  bytes: Uint8Array;
  nodesPerLayer: number;
  nodes: number;
  verbalizer?: ManualVerbalizer;
  template?: PromptTemplate;
} {
  const g = new GraphBuilder(`fewprompt-${spec.method}`);
  let verbalizer: ManualVerbalizer | undefined;
  let template: PromptTemplate | undefined;
  let softRows: FloatWeight | undefined;
  if (spec.method === 'pet' || spec.method === 'ptuning') {
    if (spec.template === undefined || spec.labelWords === undefined)
      throw new ExportError(`${spec.dir}: a ${spec.method} export needs the template and the label words`);
    template = PromptTemplate.fromString(spec.template, { requireMask: true, maxSeqLen: spec.maxSeqLen, tokenizer });
    verbalizer = new ManualVerbalizer({ labelWords: spec.labelWords, numMasks: template.numMasks }, tokenizer);
    if (spec.method === 'ptuning') softRows = softPromptRows(template, tokenizer, methodWeights, config.hiddenSize);
  } else if (spec.method === 'efl') {
    if (spec.template === undefined) throw new ExportError(`${spec.dir}: an EFL export needs the pair template`);
    const missing = spec.labels.filter((l) => spec.descriptions?.[l] === undefined);
    if (missing.length > 0)
      throw new ExportError(
        `${spec.dir}: an EFL export needs a description for every label; missing: ${missing.join(', ')}`,
      );
    template = PromptTemplate.fromString(spec.template, { maxSeqLen: spec.maxSeqLen, tokenizer });
  }
  const bert = new BertGraph(g, config, weights, {
    fusion: options.fusion ?? 'contrib',
    precision: options.precision ?? 'fp32',
    ...(softRows ? { softRows } : {}),
  });
  const hidden = bert.encode();
  if (verbalizer) petHead(bert, hidden, verbalizer, spec.labels);
  else finetuneHead(bert, hidden, methodWeights, spec.method === 'efl' ? 2 : spec.labels.length); // EFL: (not entail, entail) per pair
  const counts = g.countByScope();
  return {
    bytes: g.encode(),
    nodesPerLayer: counts.get('layer.0') ?? 0,
    nodes: g.nodes.length,
    ...(verbalizer ? { verbalizer } : {}),
    ...(template ? { template } : {}),
  };
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

/** A JSON object file of a run, or an ExportError naming the run and the file. */
export function readJson(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) throw new ExportError(`${what}: ${path} does not exist`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ExportError(`${what}: ${path} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Reads `method.json` of a run; `overrides` supply what it leaves to the task's defaults (label words, text fields).
 * @example
 * readRunSpec('/tmp/run-pet', { labelWords: { Negative: ['不'], Positive: ['很'] } }).method; // → 'pet'
 */
export function readRunSpec(
  dir: string,
  overrides: {
    labelWords?: Record<string, string[]>;
    descriptions?: Record<string, string>;
    textFields?: string[];
  } = {},
): RunSpec {
  const m = readJson(join(dir, 'method.json'), `run ${dir}`);
  const kind = String(m['kind']);
  if (!(EXPORT_METHODS as readonly string[]).includes(kind))
    throw new ExportError(
      `run ${dir}: method '${kind}' cannot be exported yet; supported: ${EXPORT_METHODS.join(', ')}`,
    );
  const labels = m['labels'];
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string'))
    throw new ExportError(`run ${dir}: method.json has no 'labels' list`);
  const words = (m['labelWords'] as Record<string, string[]> | undefined) ?? overrides.labelWords;
  const descriptions = (m['descriptions'] as Record<string, string> | undefined) ?? overrides.descriptions;
  return {
    dir,
    method: kind as ExportMethod,
    labels: labels as string[],
    maxSeqLen: Number(m['maxSeqLen'] ?? 128),
    ...(typeof m['template'] === 'string' ? { template: m['template'] } : {}),
    ...(words ? { labelWords: words } : {}),
    ...(descriptions ? { descriptions } : {}),
    ...(overrides.textFields ? { textFields: overrides.textFields } : {}),
  };
}

function packageVersion(): string {
  try {
    return String(
      (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string })
        .version ?? 'unknown',
    );
  } catch {
    return 'unknown';
  }
}

/** Text fields a template reads, in order. */
function templateFields(template: PromptTemplate | undefined): string[] {
  if (!template) return [];
  return template.parsed.blocks.flatMap((b) => (b.kind === 'text' ? [b.field] : []));
}

/**
 * Exports a run as a bundle directory.
 * @example
 * const manifest = await exportBundle(readRunSpec('/tmp/run-pet', { labelWords }), '/tmp/bundle', { precision: 'int8' });
 * manifest.model.nodesPerLayer; // → 10 (fused, int8)
 */
export async function exportBundle(spec: RunSpec, out: string, options: GraphOptions = {}): Promise<BundleManifest> {
  return writeBundleDir(out, (dir) => writeBundle(spec, dir, options));
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
export async function writeBundle(spec: RunSpec, out: string, options: GraphOptions): Promise<BundleManifest> {
  const modelDir = join(spec.dir, 'model');
  if (!existsSync(modelDir))
    throw new ExportError(`run ${spec.dir}: no model/ directory (train with --out, which saves the model)`);
  const config = readBertConfig(modelDir);
  const tokenizer = await BertTokenizer.fromPretrained(modelDir);
  const methodFile = join(spec.dir, 'method.safetensors');
  const methodWeights = new WeightReader(existsSync(methodFile) ? readSafetensors(methodFile) : new Map(), methodFile);
  const graph = buildClassifierGraph(
    spec,
    config,
    new WeightReader(loadStateDict(modelDir), modelDir),
    methodWeights,
    tokenizer,
    options,
  );
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
    method: spec.method,
    labels: spec.labels,
    textFields:
      spec.textFields ??
      (templateFields(graph.template).filter((f) => f !== EFL_PAIR_FIELD).length > 0
        ? templateFields(graph.template).filter((f) => f !== EFL_PAIR_FIELD)
        : ['text_a']),
    ...(spec.method === 'efl'
      ? { pairs: { field: EFL_PAIR_FIELD, texts: spec.labels.map((l) => spec.descriptions![l]!) } }
      : {}),
    maxSeqLen: Math.min(spec.maxSeqLen, config.maxPositionEmbeddings - config.positionOffset),
    ...(graph.template ? { template: graph.template.getConfig() } : {}),
    ...(graph.verbalizer ? { verbalizer: graph.verbalizer.getConfig() } : {}),
    model: {
      file: 'model.onnx',
      precision: options.precision ?? 'fp32',
      fusion: options.fusion ?? 'contrib',
      positionOffset: config.positionOffset,
      ...(spec.method === 'ptuning' ? { softTokenOffset: config.vocabSize } : {}),
      maxPositionEmbeddings: config.maxPositionEmbeddings,
      hiddenSize: config.hiddenSize,
      numHiddenLayers: config.numHiddenLayers,
      nodesPerLayer: graph.nodesPerLayer,
      nodes: graph.nodes,
    },
    source: {
      run: spec.dir,
      ...(existsSync(metricsFile) ? { metrics: readJson(metricsFile, `run ${spec.dir}`) } : {}),
    },
  };
  writeFileSync(join(out, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
