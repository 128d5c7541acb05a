/**
 * `DependencyParser`: a parser bundle on ONNX Runtime. Words in, one tree per sentence out (MST
 * decoding on the graph's arc scores, then the best relation at each chosen head).
 */
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { BundleError, ConfigError } from '../../../framework/errors.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { readParserManifest, type ParserManifest } from './bundle.js';
import { Lac } from '../lexical-analysis/lac.js';
import { decodeTree } from './decode.js';
import { ParseFeaturizer, type ParseFeatureBatch } from './features.js';
import { lacWordTags, TagVocab } from './word-tags.js';

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
  /** LAC for the word tags of a bundle that reads them (default: the shipped LAC, loaded on first use). */
  readonly lac?: Lac;
}

/** Options of {@link DependencyParser.parse}. */
export interface ParseOptions {
  /** Sentences per graph call (default 32). */
  readonly batchSize?: number;
  /**
   * LAC's tag of each word, when the caller already has them (`Lac.analyze`'s `tags`); otherwise a
   * bundle that reads tags runs LAC on each sentence's characters.
   */
  readonly tags?: readonly (readonly string[])[];
}

/**
 * A loaded parser bundle.
 * @example
 * const parser = await DependencyParser.load('models/taskflow/dependency-parsing');
 * await parser.parse([['百度', '是', '一家', '高科技', '公司']]);
 * // → [{ heads: [5, 5, 5, 5, 0], deprels: ['nsubj', 'cop', 'nummod', 'nmod', 'root'] }]
 * //   (what the shipped model answers)
 */
export class DependencyParser {
  /** The tag vocabulary when the bundle reads LAC word tags. */
  readonly tagVocab: TagVocab | undefined;
  private lac: Promise<Lac> | undefined;
  private readonly ownsLac: boolean;

  private constructor(
    readonly manifest: ParserManifest,
    private readonly session: InferenceSession,
    private readonly ort: Ort,
    readonly featurizer: ParseFeaturizer,
    lac: Lac | undefined,
  ) {
    this.tagVocab = manifest.head.tags ? new TagVocab(manifest.head.tags) : undefined;
    this.lac = lac ? Promise.resolve(lac) : undefined;
    this.ownsLac = !lac;
  }

  static async load(dir: string, options: ParserLoadOptions = {}): Promise<DependencyParser> {
    const manifest = readParserManifest(dir);
    const tokenizer = await BertTokenizer.fromPretrained(join(dir, 'tokenizer'));
    if (tokenizer.vocabSize !== manifest.model.vocabSize)
      throw new BundleError(
        `${dir}: tokenizer has ${tokenizer.vocabSize} tokens, ` +
          `parser.json says model.vocabSize ${manifest.model.vocabSize}`,
      );
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(join(dir, manifest.model.file), {
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
    const inputs = new Set(session.inputNames);
    if (Boolean(manifest.head.tags) !== inputs.has('tag_ids')) {
      throw new BundleError(
        `${dir}: parser.json ${manifest.head.tags ? 'lists' : 'has no'} head.tags ` +
          `but the graph ${inputs.has('tag_ids') ? 'has' : 'lacks'} a tag_ids input`,
      );
    }
    return new DependencyParser(
      manifest,
      session,
      ort,
      new ParseFeaturizer(tokenizer, manifest.maxTokens, manifest.model.positionOffset),
      options.lac,
    );
  }

  /** Relation labels, in score order. */
  get labels(): readonly string[] {
    return this.manifest.head.labels;
  }

  /** Raw graph outputs of one batch. */
  async scores(batch: ParseFeatureBatch): Promise<{ arc: Float32Array; rel: Float32Array }> {
    const inputs = new Set(this.session.inputNames);
    if (inputs.has('tag_ids') && !batch.feeds.tag_ids)
      throw new ConfigError('this parser reads word tags: build the rows with tag ids');
    const feeds = Object.fromEntries(
      Object.entries(batch.feeds)
        .filter(([k]) => inputs.has(k))
        .map(([k, v]) => [k, new this.ort.Tensor('int32', v!.data, v!.dims)]),
    );
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
  async parse(sentences: readonly (readonly string[])[], options: ParseOptions = {}): Promise<Parse[]> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
    const tags = this.tagVocab ? await this.wordTags(sentences, options.tags) : undefined;
    const rows = sentences.map((words, i) =>
      words.length === 0 ? undefined : this.featurizer.row(words, tags ? this.tagVocab!.ids(tags[i]!) : undefined),
    );
    const order = rows.flatMap((r, i) => (r ? [i] : [])).sort((a, b) => rows[a]!.ids.length - rows[b]!.ids.length);
    const out: Parse[] = sentences.map(() => ({ heads: [], deprels: [] }));
    const labels = this.labels;
    for (let at = 0; at < order.length; at += batchSize) {
      const chunk = order.slice(at, at + batchSize);
      const batch = this.featurizer.batch(chunk.map((i) => rows[i]!));
      const { arc, rel } = await this.scores(batch);
      chunk.forEach((i, b) => {
        const tree = decodeTree(arc, rel, {
          b,
          nodes: batch.nodes,
          labels: labels.length,
          words: sentences[i]!.length,
        });
        out[i] = { heads: tree.heads, deprels: tree.rels.map((r) => labels[r]!) };
      });
    }
    return out;
  }

  /** The given word tags (checked against the words), or LAC's. */
  private async wordTags(
    sentences: readonly (readonly string[])[],
    given: readonly (readonly string[])[] | undefined,
  ): Promise<readonly (readonly string[])[]> {
    if (given) {
      if (given.length !== sentences.length)
        throw new ConfigError(`tags: ${given.length} lists for ${sentences.length} sentences`);
      given.forEach((t, i) => {
        if (t.length !== sentences[i]!.length)
          throw new ConfigError(`tags[${i}]: ${t.length} tags for ${sentences[i]!.length} words`);
      });
      return given;
    }
    this.lac ??= Lac.load(undefined, { workers: 0 });
    return lacWordTags(await this.lac, sentences);
  }

  async release(): Promise<void> {
    await this.session.release();
    if (this.ownsLac && this.lac) await (await this.lac).close();
  }
}
