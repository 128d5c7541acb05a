/**
 * `loadClassifier(bundle)`: an exported bundle on ONNX Runtime, with Taskflow's result shape.
 *
 * `scores` are the graph's label scores (PET: the verbalizer's label scores — with the default
 * `vocab` normalisation, the sum over masks of log p(label word's token | mask), averaged over a
 * label's words; fine-tuning: classifier logits). `score` in a prediction is the softmax of those
 * over the labels at the chosen label (for a split text: after joining the windows' softmaxes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { BundleError, ConfigError } from '../../framework/errors.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { PromptTemplate } from '../../templates/prompt-template.js';
import { BUNDLE_FORMAT_VERSION, type BundleManifest } from '../export/manifest.js';
import { RUNTIME_OPTIMIZATION } from '../../framework/model/bert-graph.js';
import { Featurizer, type ClassifierInput, type FeatureBatch } from './features.js';
import { AutoSplitter, type SplitOptions } from './splitter.js';

type Ort = typeof import('onnxruntime-node');

/** One prediction (PaddleNLP Taskflow's `{text, label, score}`), plus every label's probability. */
export interface Prediction {
  readonly text: string;
  readonly label: string;
  readonly score: number;
  readonly probabilities: Record<string, number>;
  /** Windows the AutoSplitter scored (1 when the text fit). */
  readonly windows: number;
}

/** Options of {@link loadClassifier}. */
export interface LoadOptions {
  /** ORT intra-op threads (default: ORT's choice, all cores). */
  readonly threads?: number;
  /**
   * ORT graph optimisation (default: `basic` for our fused
   * graphs, which are optimised already; `all` for unfused ones).
   */
  readonly graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Where ORT writes the optimised graph (to inspect what it fused). */
  readonly optimizedModelPath?: string;
  /** AutoSplitter options. */
  readonly split?: SplitOptions;
}

/** Options of {@link Classifier.predict}. */
export interface PredictOptions {
  /** Windows per session run (default 32). */
  readonly batchSize?: number;
}

/** `file` of bundle.json resolved inside `dir`; a path that leaves the bundle (`../`, absolute) is refused. */
function bundlePath(dir: string, file: unknown, manifestFile: string): string {
  if (typeof file !== 'string' || file === '')
    throw new BundleError(`${manifestFile}: model.file must be a file name inside the bundle`);
  const root = resolve(dir);
  const path = resolve(root, file);
  if (isAbsolute(file) || !path.startsWith(root + sep))
    throw new BundleError(`${manifestFile}: model.file '${file}' points outside the bundle`);
  return path;
}

/**
 * The graph's declared `scores` width against bundle.json's labels (a mismatch used to give wrong answers with exit
 * 0). Symbolic widths are checked at the first run instead.
 */
function checkScoresWidth(session: InferenceSession, manifest: BundleManifest, modelFile: string): void {
  const meta = session.outputMetadata?.find((m) => m.name === 'scores');
  if (!meta) throw new BundleError(`${modelFile}: the graph has no "scores" output`);
  if (!meta.isTensor) return;
  const width = manifest.pairs ? (meta.shape.at(-1) === 2 ? meta.shape.at(-2) : undefined) : meta.shape.at(-1);
  if (typeof width === 'number' && width > 0 && !manifest.pairs && width !== manifest.labels.length) {
    throw new BundleError(
      `${modelFile}: the graph scores ${width} labels, ` +
        `bundle.json lists ${manifest.labels.length} (${manifest.labels.join(', ')})`,
    );
  }
}

/** Probabilities of a row of scores (max-shifted, so large logits do not overflow). */
export function softmax(row: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(row));
  const e = Array.from(row, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/**
 * A loaded bundle.
 * @example
 * const clf = await loadClassifier('bundles/eprstmt-pet');
 * await clf.predict(['物流很快，质量很好']);
 * // → [{ text: '物流很快，质量很好', label: 'Positive', score: 0.93, probabilities: {…}, windows: 1 }]
 */
export class Classifier {
  readonly labels: readonly string[];
  readonly splitter: AutoSplitter;

  private constructor(
    readonly manifest: BundleManifest,
    readonly session: InferenceSession,
    private readonly ort: Ort,
    readonly featurizer: Featurizer,
    split: SplitOptions,
  ) {
    this.labels = manifest.labels;
    this.splitter = new AutoSplitter((t) => featurizer.fits(t), split);
  }

  /** Reads `bundle.json`, the tokenizer and the graph. */
  static async load(dir: string, options: LoadOptions = {}): Promise<Classifier> {
    const manifestFile = join(dir, 'bundle.json');
    if (!existsSync(manifestFile))
      throw new BundleError(
        `${dir}: not a fewprompt bundle (no bundle.json); create one with 'fewprompt export --run DIR --out ${dir}'`,
      );
    let manifest: BundleManifest;
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BundleManifest;
    } catch (error) {
      throw new BundleError(`${manifestFile}: not valid JSON (${(error as Error).message})`);
    }
    if (manifest.format !== 'fewprompt-bundle' || manifest.formatVersion !== BUNDLE_FORMAT_VERSION) {
      throw new BundleError(
        `${manifestFile}: format ${String(manifest.format)} v${String(manifest.formatVersion)}, ` +
          `expected fewprompt-bundle v${BUNDLE_FORMAT_VERSION}`,
      );
    }
    const labels: unknown = manifest.labels;
    if (
      !Array.isArray(labels) ||
      labels.length < 2 ||
      labels.some((l) => typeof l !== 'string' || l === '') ||
      new Set(labels).size !== labels.length
    ) {
      throw new BundleError(
        `${manifestFile}: labels must be at least two distinct non-empty strings, ` +
          `got ${JSON.stringify(labels)?.slice(0, 200)}`,
      );
    }
    const modelFile = bundlePath(dir, manifest.model?.file, manifestFile);
    if (!existsSync(modelFile)) throw new BundleError(`${dir}: ${manifest.model.file} is missing`);
    const tokenizer = await BertTokenizer.fromPretrained(join(dir, 'tokenizer'));
    const template = manifest.template
      ? PromptTemplate.fromConfig({ ...manifest.template, maxSeqLen: manifest.maxSeqLen }, tokenizer)
      : undefined;
    const featurizer = new Featurizer(tokenizer, {
      maxSeqLen: manifest.maxSeqLen,
      positionOffset: manifest.model.positionOffset,
      textFields: manifest.textFields,
      ...(template ? { template } : {}),
      ...(manifest.model.softTokenOffset !== undefined ? { softTokenOffset: manifest.model.softTokenOffset } : {}),
      ...(manifest.pairs ? { pairs: manifest.pairs } : {}),
    });
    const ort = await import('onnxruntime-node');
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelFile, {
        graphOptimizationLevel: options.graphOptimization ?? RUNTIME_OPTIMIZATION[manifest.model.fusion] ?? 'all',
        executionProviders: ['cpu'],
        ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
        ...(options.optimizedModelPath ? { optimizedModelFilePath: options.optimizedModelPath } : {}),
      });
    } catch (error) {
      // ORT's message for a truncated, empty or random file is a multi-line C++ trace: keep its first line.
      const first = (error as Error).message.split('\n').find((line) => line.trim() !== '') ?? 'unreadable';
      throw new BundleError(`${modelFile}: ONNX Runtime cannot load it (${first.slice(0, 200)}); re-export the bundle`);
    }
    checkScoresWidth(session, manifest, modelFile);
    return new Classifier(manifest, session, ort, featurizer, options.split ?? {});
  }

  /** Runs one padded batch; returns label scores per row. */
  async run(batch: FeatureBatch): Promise<Float32Array[]> {
    const feeds = Object.fromEntries(
      Object.entries(batch.feeds).map(([k, v]) => [k, new this.ort.Tensor('int32', v.data, v.dims)]),
    );
    const out = (await this.session.run(feeds))['scores'];
    if (!out) throw new BundleError('the graph has no "scores" output');
    const data = out.data as Float32Array;
    const c = this.labels.length;
    const expected = batch.size * c * (this.manifest.pairs ? 2 : 1);
    if (data.length !== expected) {
      throw new BundleError(
        `the graph returned ${data.length} scores for ${batch.size} inputs; bundle.json's ${c} labels need ${expected}`,
      );
    }
    if (this.manifest.pairs) {
      // EFL: rows are (input, label description) pairs with (not
      // entail, entail) logits; a label's score is log P(entail).
      return Array.from({ length: batch.size }, (_, i) =>
        Float32Array.from({ length: c }, (_, l) => {
          const [no, yes] = [data[(i * c + l) * 2]!, data[(i * c + l) * 2 + 1]!];
          const top = Math.max(no, yes);
          return yes - top - Math.log(Math.exp(no - top) + Math.exp(yes - top));
        }),
      );
    }
    return Array.from({ length: batch.size }, (_, i) => data.slice(i * c, (i + 1) * c));
  }

  /** Raw label scores of inputs as given (no splitting: over-long inputs are truncated as in training). */
  async scores(inputs: readonly ClassifierInput[]): Promise<Float32Array[]> {
    return inputs.length === 0 ? [] : this.run(this.featurizer.batch(inputs));
  }

  /**
   * Predicts a label per input; texts over the limit are split into windows and joined (see AutoSplitter).
   * Windows are batched by length so little padding is computed.
   */
  async predict(inputs: readonly ClassifierInput[], options: PredictOptions = {}): Promise<Prediction[]> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
    const field = this.manifest.textFields[0] ?? '';
    const windows = inputs.map((input) => {
      if (typeof input === 'string') return this.splitter.split(input);
      const text = input[field];
      return text === undefined ? [input] : this.splitter.split(text).map((w) => ({ ...input, [field]: w }));
    });
    const flat = windows.flatMap((ws, i) =>
      ws.map((w) => ({ input: w as ClassifierInput, owner: i, length: this.featurizer.row(w).ids.length })),
    );
    const order = flat.map((_, i) => i).sort((a, b) => flat[a]!.length - flat[b]!.length);
    const probs: number[][] = new Array<number[]>(flat.length);
    for (let at = 0; at < order.length; at += batchSize) {
      const chunk = order.slice(at, at + batchSize);
      const scores = await this.run(this.featurizer.batch(chunk.map((i) => flat[i]!.input)));
      chunk.forEach((i, k) => {
        probs[i] = softmax(scores[k]!);
      });
    }
    let next = 0;
    return inputs.map((input, i) =>
      this.joined(
        typeof input === 'string' ? input : String(input[field] ?? JSON.stringify(input)),
        windows[i]!.map(() => probs[next++]!),
      ),
    );
  }

  /**
   * One text's prediction from the predictions of its windows (`splitter.split(text)`, scored in any batches): what
   * `predict([text])` gives. Lets a server schedule windows rather than whole texts.
   * @example
   * const windows = clf.splitter.split(longText);
   * clf.join(longText, await clf.predict(windows)); // → { text: longText, label, score, probabilities, windows }
   */
  join(text: string, windows: readonly Prediction[]): Prediction {
    return this.joined(
      text,
      windows.map((w) => this.labels.map((l) => w.probabilities[l] ?? 0)),
    );
  }

  /** The prediction of per-window label probabilities [windows][labels], joined as the splitter aggregates. */
  private joined(text: string, own: readonly (readonly number[])[]): Prediction {
    const joined = AutoSplitter.join(own, this.splitter.aggregate);
    const best = joined.indexOf(Math.max(...joined));
    return {
      text,
      label: this.labels[best]!,
      score: joined[best]!,
      windows: own.length,
      probabilities: Object.fromEntries(this.labels.map((l, j) => [l, joined[j]!])),
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Loads an exported bundle for prediction.
 * @example
 * const clf = await loadClassifier('/tmp/bundle', { threads: 2 });
 * (await clf.predict(['太差了'], { batchSize: 8 }))[0].label; // → 'Negative'
 */
export function loadClassifier(bundle: string, options: LoadOptions = {}): Promise<Classifier> {
  return Classifier.load(bundle, options);
}
