/**
 * What every decoding strategy works over: a {@link LogitsSource} ("next-token logits given the state so
 * far"), the {@link GenerationArgs} that fully determine a run, and the {@link GenerationResult} that carries
 * them. tfjs without a cache, tfjs with a key/value cache and ONNX Runtime with a cache are three sources;
 * greedy, sampling, beam search and T2T beam search are written once over this interface.
 */

/**
 * Next-token logits for a set of rows (one row per sequence being extended).
 * Rows are addressed by index; `step` may reorder and duplicate them (beam search), so a source keeps its
 * per-row state (a key/value cache, or the tokens so far) indexable by row.
 */
export interface LogitsSource {
  readonly vocabSize: number;
  /** Starts one row per prompt; returns the logits after each prompt, row-major [rows · vocab]. */
  start(prompts: readonly (readonly number[])[]): Promise<Float32Array>;
  /**
   * Extends rows: new row r = old row `parents[r]` followed by `tokens[r]`. Returns the logits after
   * each new row, [parents.length · vocab].
   */
  step(parents: readonly number[], tokens: readonly number[]): Promise<Float32Array>;
  /** Frees the rows' state. */
  dispose(): void;
}

export const STRATEGIES = ['greedy', 'sampling', 'beam_search', 't2t_beam_search'] as const;
/**
 * `greedy`: argmax; `sampling`: top-k / top-p with temperature;
 * `beam_search`; `t2t_beam_search` (Tensor2Tensor's alive/finished sets).
 */
export type Strategy = (typeof STRATEGIES)[number];

/**
 * Every argument of a generation run. A result carries the resolved arguments (the seed included),
 * and `generate(source, prompts, result.args)` reproduces it exactly.
 */
export interface GenerationArgs {
  strategy: Strategy;
  /** Most tokens to generate per prompt (the EOS token included). */
  maxOutLen: number;
  /** EOS is not allowed before this many tokens. */
  minOutLen: number;
  /** Sampling: keep the k most likely tokens (0 = all). */
  topK: number;
  /** Sampling: keep the smallest set of most likely tokens whose probability reaches p (1 = all). */
  topP: number;
  /** Sampling: logits are divided by it. */
  temperature: number;
  /** Beam searches: beams per prompt. */
  beamSize: number;
  /**
   * Beam searches: GNMT length penalty ((5 + len) / 6)^alpha
   * divides a finished hypothesis's log-probability (0 = none).
   */
  alpha: number;
  /**
   * Beam searches: sibling penalty (Li et al. 2016, as FasterTransformer's
   * `diversity_rate`): a beam's k-th best child loses k·rate.
   */
  diversityRate: number;
  /**
   * Repetition penalty (CTRL, Keskar et al. 2019; PaddleNLP's and Hugging Face's `repetition_penalty`) over the
   * tokens this continuation has generated so far (not the prompt's): a positive logit is divided by it, a negative
   * one multiplied (1 = none).
   */
  repetitionPenalty: number;
  /** Seed of the sampling streams (each prompt's stream depends only on the seed and the prompt). */
  seed: number;
  /** Token that ends a sequence. */
  eosTokenId: number;
  /** Tokens never generated (padding, unknown, begin-of-sequence). */
  bannedTokenIds: number[];
}

/** The best sequence for one prompt. */
export interface GenerationResult {
  prompt: number[];
  /** Generated tokens, the EOS token excluded. */
  tokens: number[];
  /** Whether generation ended with EOS (rather than at `maxOutLen`). */
  finished: boolean;
  /** Sum of log-probabilities of the generated tokens (beam searches: divided by the length penalty). */
  score: number;
  /** The arguments that produced this result. */
  args: GenerationArgs;
}

/** A whole run: one result per prompt and how many source calls it took. */
export interface GenerationRun {
  results: GenerationResult[];
  /** Calls of `source.step` (the decoding steps taken; early finish makes it smaller). */
  steps: number;
}
