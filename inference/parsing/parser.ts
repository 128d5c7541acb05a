/**
 * `DependencyParser`: a parser bundle on ONNX Runtime. Words in, one tree per sentence out (MST
 * decoding on the graph's arc scores, then the best relation at each chosen head).
 */
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { BundleError, ConfigError } from '../../framework/errors.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { readParserManifest, type ParserManifest } from './bundle.js';
import { decodeTree } from './decode.js';
import { ParseFeaturizer, type ParseFeatureBatch } from './features.js';

type Ort = typeof import('onnxruntime-node');

/** One parsed sentence: for word i, its 1-based head (0 = root) and relation. */
export interface Parse {
  readonly heads: number[];
  readonly deprels: string[];
}

/** Options of {@link DependencyParser.load}. */
export interface ParserLoadOptions {
  /** ORT intra-op threads (default: ORT's choice). */
  readonly threads?: number;
}

/**
 * A loaded parser bundle.
 * @example
 * const parser = await DependencyParser.load('models/taskflow/dependency-parsing');
 * await parser.parse([['百度', '是', '一家', '高科技', '公司']]);
 * // → [{ heads: [5, 0, 5, 5, 2], deprels: ['nummod', 'root', 'nummod', 'nmod', 'nsubj'] }] (what the shipped model answers)
 */
export class DependencyParser {
  private constructor(readonly manifest: ParserManifest, private readonly session: InferenceSession, private readonly ort: Ort, readonly featurizer: ParseFeaturizer) {}

  static async load(dir: string, options: ParserLoadOptions = {}): Promise<DependencyParser> {
    const manifest = readParserManifest(dir);
    const tokenizer = await BertTokenizer.fromPretrained(join(dir, 'tokenizer'));
    if (tokenizer.vocabSize !== manifest.model.vocabSize) throw new BundleError(`${dir}: tokenizer has ${tokenizer.vocabSize} tokens, parser.json says model.vocabSize ${manifest.model.vocabSize}`);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(join(dir, manifest.model.file), {
      graphOptimizationLevel: 'all', executionProviders: ['cpu'],
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
    return new DependencyParser(manifest, session, ort, new ParseFeaturizer(tokenizer, manifest.maxTokens, manifest.model.positionOffset));
  }

  /** Relation labels, in score order. */
  get labels(): readonly string[] {
    return this.manifest.head.labels;
  }

  /** Raw graph outputs of one batch. */
  async scores(batch: ParseFeatureBatch): Promise<{ arc: Float32Array; rel: Float32Array }> {
    const feeds = Object.fromEntries(Object.entries(batch.feeds).map(([k, v]) => [k, new this.ort.Tensor('int32', v.data, v.dims)]));
    const out = await this.session.run(feeds);
    const arc = out['arc_scores'];
    const rel = out['rel_scores'];
    if (!arc || !rel) throw new BundleError('the parser graph lacks "arc_scores" or "rel_scores"');
    return { arc: arc.data as Float32Array, rel: rel.data as Float32Array };
  }

  /**
   * Parses segmented sentences (batched by length); a sentence over the token limit throws a
   * `TaskInputError` naming the limit.
   */
  async parse(sentences: readonly (readonly string[])[], options: { batchSize?: number } = {}): Promise<Parse[]> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
    const rows = sentences.map((words) => (words.length === 0 ? undefined : this.featurizer.row(words)));
    const order = rows.flatMap((r, i) => (r ? [i] : [])).sort((a, b) => rows[a]!.ids.length - rows[b]!.ids.length);
    const out: Parse[] = sentences.map(() => ({ heads: [], deprels: [] }));
    const labels = this.labels;
    for (let at = 0; at < order.length; at += batchSize) {
      const chunk = order.slice(at, at + batchSize);
      const batch = this.featurizer.batch(chunk.map((i) => rows[i]!));
      const { arc, rel } = await this.scores(batch);
      chunk.forEach((i, b) => {
        const tree = decodeTree(arc, rel, { b, nodes: batch.nodes, labels: labels.length, words: sentences[i]!.length });
        out[i] = { heads: tree.heads, deprels: tree.rels.map((r) => labels[r]!) };
      });
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
