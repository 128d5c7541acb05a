/**
 * `TextGenerator`: a character-level GPT directory on ONNX Runtime with cached decoding. The graph is built
 * from the weights at load time by our ONNX writer (nothing but the safetensors file is shipped).
 */
import type { InferenceSession } from 'onnxruntime-node';
import { ConfigError, TaskInputError } from '../../../framework/errors.js';
import { resolveGenerationArgs, type GenerationOptions } from '../../../framework/generation/args.js';
import type { GenerationArgs, GenerationResult } from '../../../framework/generation/base.js';
import type { CharVocab } from '../../../framework/generation/char-vocab.js';
import { generate } from '../../../framework/generation/generate.js';
import { readGptDir } from './gpt-dir.js';
import type { GptConfig } from './gpt-config.js';
import { WeightReader } from '../../../framework/onnx/weights.js';
import { buildGptGraph } from './graph.js';
import { OrtCachedSource } from './ort-source.js';

type Ort = typeof import('onnxruntime-node');

/** Generation options in text terms: `stopText` ends a continuation (e.g. '。'); the model's EOS does otherwise. */
export type TextGenerationOptions = Partial<Omit<GenerationArgs, 'eosTokenId'>> & { stopText?: string };

/** One continuation: the prompt text, the generated text, and the token-level result (with its arguments). */
export interface TextGeneration {
  text: string;
  continuation: string;
  result: GenerationResult;
}

/**
 * @example
 * const gen = await TextGenerator.load('models/poetry-gpt-zh');
 * const [out] = await gen.generate(['深山不见人'], { strategy: 'beam_search', beamSize: 4, stopText: '。' });
 * out.continuation; // → '，…。'
 * (await gen.generate(['深山不见人'], out.result.args))[0].continuation === out.continuation; // → true
 */
export class TextGenerator {
  private constructor(
    readonly config: GptConfig,
    readonly vocab: CharVocab,
    private readonly ort: Ort,
    private readonly session: InferenceSession,
  ) {}

  /** Loads a GPT directory (config.json, vocab.txt, model.safetensors) onto ONNX Runtime. */
  static async load(dir: string, options: { threads?: number } = {}): Promise<TextGenerator> {
    const { config, vocab, weights } = readGptDir(dir);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(buildGptGraph(config, new WeightReader(weights, dir)), {
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
    return new TextGenerator(config, vocab, ort, session);
  }

  /** The resolved token-level arguments for text options (stop text → EOS id; specials other than EOS banned). */
  resolve(options: TextGenerationOptions | GenerationArgs): GenerationArgs {
    if ('eosTokenId' in options) return resolveGenerationArgs(options);
    const { stopText, ...rest } = options;
    const stop = stopText === undefined ? this.vocab.eos : this.vocab.ids.get(stopText);
    if (stop === undefined) throw new ConfigError(`stopText '${stopText}' is not one token of the vocabulary`);
    const banned = [this.vocab.pad, this.vocab.unk, this.vocab.bos, this.vocab.eos].filter((id) => id !== stop);
    return resolveGenerationArgs({ ...rest, eosTokenId: stop, bannedTokenIds: banned } as GenerationOptions);
  }

  /**
   * Continues each text (each starts from [BOS]); the stop token, when reached, ends the continuation
   * and is included in it. Pass a result's `args` back to reproduce it.
   */
  async generate(
    texts: readonly string[],
    options: TextGenerationOptions | GenerationArgs = {},
  ): Promise<TextGeneration[]> {
    const args = this.resolve(options);
    const prompts = texts.map((t) => [this.vocab.bos, ...this.vocab.encode(t)]);
    prompts.forEach((p, i) => {
      if (p.length >= this.config.maxPositions)
        throw new TaskInputError(
          `text ${i} has ${p.length - 1} characters; this model reads at most ${this.config.maxPositions - 2}`,
        );
    });
    const room = this.config.maxPositions - Math.max(0, ...prompts.map((p) => p.length));
    const run = await generate(new OrtCachedSource(this.ort, this.session, this.config), prompts, {
      ...args,
      maxOutLen: Math.max(1, Math.min(args.maxOutLen, room)),
    });
    return run.results.map((result, i) => {
      const stop =
        result.finished && result.args.eosTokenId !== this.vocab.eos
          ? (this.vocab.tokens[result.args.eosTokenId] ?? '')
          : '';
      return { text: texts[i]!, continuation: this.vocab.decode(result.tokens) + stop, result: { ...result, args } };
    });
  }
}
