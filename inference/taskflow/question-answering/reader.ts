/**
 * `QuestionAnswerer`: a reader bundle on ONNX Runtime. Questions with their passages in, one answer each out: every
 * passage is cut into windows (features.ts), the windows of all questions run in batches, and each question takes the
 * best span over its windows (decode.ts).
 */
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { BundleError, ConfigError, TaskInputError } from '../../../framework/errors.js';
import { BertTokenizer } from '../../../framework/tokenizer/index.js';
import { RUNTIME_OPTIMIZATION } from '../../../framework/model/bert-graph.js';
import { readQaManifest, type QaManifest } from './bundle.js';
import { bestAnswer, type QaAnswer, type WindowLogits } from './decode.js';
import { QaFeaturizer, type QaFeatureBatch, type QaWindow } from './features.js';

type Ort = typeof import('onnxruntime-node');

/** One question over one passage. */
export interface QaInput {
  readonly question: string;
  readonly context: string;
}

/** Options of {@link QuestionAnswerer.load}. */
export interface ReaderLoadOptions {
  /** ORT intra-op threads (default: ORT's choice). */
  readonly threads?: number;
}

/** Options of {@link QuestionAnswerer.answer}; unset ones come from the bundle's `qa.json`. */
export interface AnswerOptions {
  /** Windows per graph call (default 32). */
  readonly batchSize?: number;
  /** Below this score the answer is empty. */
  readonly threshold?: number;
  /** Longest answer, in tokens. */
  readonly maxAnswerTokens?: number;
}

/**
 * `item` as a {@link QaInput}; a `TaskInputError` names what is wrong (`what` says where, e.g. `inputs[2]`).
 * @example checkQaInput({ question: '谁？', context: '' }, 'input'); // passes: an empty passage has no answer
 */
export function checkQaInput(item: unknown, what: string): QaInput {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    throw new TaskInputError(`${what} must be an object { question, context }, got ${describe(item)}`);
  const { question, context } = item as Record<string, unknown>;
  if (typeof question !== 'string' || question.trim() === '')
    throw new TaskInputError(`${what}.question must be a non-empty string, got ${describe(question)}`);
  if (typeof context !== 'string')
    throw new TaskInputError(`${what}.context must be a string, got ${describe(context)}`);
  return { question, context };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value === '' ? 'an empty string' : value.trim() === '' ? 'a blank string' : 'a string';
  return `a ${typeof value}`;
}

/**
 * A loaded reader bundle.
 * @example
 * const reader = await QuestionAnswerer.load('models/taskflow/question-answering');
 * await reader.answer([{ question: '长江在哪里注入东海？', context: '…最后在上海注入东海。' }], { threshold: 0 });
 * // → [{ answer: …, start: …, end: …, score: … }]: answer = context.slice(start, end)
 */
export class QuestionAnswerer {
  private constructor(
    readonly manifest: QaManifest,
    private readonly session: InferenceSession,
    private readonly ort: Ort,
    readonly featurizer: QaFeaturizer,
  ) {}

  static async load(dir: string, options: ReaderLoadOptions = {}): Promise<QuestionAnswerer> {
    const manifest = readQaManifest(dir);
    const tokenizer = await BertTokenizer.fromPretrained(join(dir, 'tokenizer'));
    if (tokenizer.vocabSize !== manifest.model.vocabSize)
      throw new BundleError(
        `${dir}: tokenizer has ${tokenizer.vocabSize} tokens, qa.json says model.vocabSize ${manifest.model.vocabSize}`,
      );
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(join(dir, manifest.model.file), {
      graphOptimizationLevel: RUNTIME_OPTIMIZATION[manifest.model.fusion],
      executionProviders: ['cpu'],
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
    for (const name of ['start_logits', 'end_logits'])
      if (!session.outputNames.includes(name)) {
        await session.release();
        throw new BundleError(`${dir}: the graph has no '${name}' output`);
      }
    const featurizer = new QaFeaturizer(tokenizer, manifest.windows, manifest.model.positionOffset);
    return new QuestionAnswerer(manifest, session, ort, featurizer);
  }

  /** Raw start and end logits of one batch, row-major [size, width]. */
  async logits(batch: QaFeatureBatch): Promise<{ start: Float32Array; end: Float32Array }> {
    const feeds = Object.fromEntries(
      this.session.inputNames.map((name) => {
        const feed = batch.feeds[name as keyof QaFeatureBatch['feeds']];
        if (!feed) throw new BundleError(`the reader graph wants an input '${name}' the featurizer does not make`);
        return [name, new this.ort.Tensor('int32', feed.data, feed.dims)];
      }),
    );
    const out = await this.session.run(feeds);
    return { start: out['start_logits']!.data as Float32Array, end: out['end_logits']!.data as Float32Array };
  }

  /** One answer per input: the best span over its windows, or an empty answer below the threshold. */
  async answer(inputs: readonly QaInput[], options: AnswerOptions = {}): Promise<QaAnswer[]> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
    const decode = { ...this.manifest.decode, ...definedOf(options) };
    inputs.forEach((x, i) => checkQaInput(x, `inputs[${i}]`));
    const windows = inputs.map((x) => this.featurizer.windows(x.question, x.context));
    const logits = await this.windowLogits(windows.flat(), batchSize);
    let at = 0;
    return inputs.map((x, i) => {
      const own = logits.slice(at, (at += windows[i]!.length));
      return bestAnswer(x.context, windows[i]!, own, decode);
    });
  }

  /** Logits of each window, in order; the windows run longest first, `batchSize` at a time. */
  private async windowLogits(windows: readonly QaWindow[], batchSize: number): Promise<WindowLogits[]> {
    const order = windows.map((_, i) => i).sort((a, b) => windows[b]!.ids.length - windows[a]!.ids.length);
    const out: WindowLogits[] = new Array(windows.length);
    for (let from = 0; from < order.length; from += batchSize) {
      const chunk = order.slice(from, from + batchSize);
      const batch = this.featurizer.batch(chunk.map((i) => windows[i]!));
      const { start, end } = await this.logits(batch);
      chunk.forEach((i, b) => {
        const row = b * batch.width;
        out[i] = { start: start.subarray(row, row + batch.width), end: end.subarray(row, row + batch.width) };
      });
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** The decode options the caller set. */
function definedOf(options: AnswerOptions): Partial<QaManifest['decode']> {
  return {
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
    ...(options.maxAnswerTokens === undefined ? {} : { maxAnswerTokens: options.maxAnswerTokens }),
  };
}
