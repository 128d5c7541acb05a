/**
 * A linear mixture of n-gram models over one vocabulary: p(w | h) = Σ λ_i p_i(w | h). The spelling
 * corrector mixes a general model (large corpora) with a small in-domain one (corrected sentences of the
 * kind it corrects): the mixture predicts the in-domain text better than either alone.
 */
import { ConfigError } from '../../../framework/errors.js';
import { CharLm, cannotReach, type NgramLm, type ScoredText } from './ngram-lm.js';

/**
 * Models with identical vocabularies, weighted.
 * @example
 * const lm = new MixtureLm([general, domain], [0.4, 0.6]);
 * lm.logProb(lm.encode('我们'), 2); // → ln(0.4 p_general(们 | <s> 我) + 0.6 p_domain(们 | <s> 我))
 */
export class MixtureLm extends CharLm {
  readonly order: number;
  /** Each model's window length in the current {@link ratio} (no allocation per call). */
  private readonly own: Int32Array;

  constructor(
    readonly components: readonly NgramLm[],
    readonly weights: readonly number[],
  ) {
    super();
    if (components.length === 0 || components.length !== weights.length)
      throw new ConfigError(`a mixture needs one weight per model, got ${weights.length} for ${components.length}`);
    const sum = weights.reduce((a, b) => a + b, 0);
    if (weights.some((w) => !(w >= 0)) || Math.abs(sum - 1) > 1e-6)
      throw new ConfigError(`mixture weights must be ≥ 0 and sum to 1, got ${weights.join(', ')}`);
    const vocab = components[0]!.tables.vocab;
    components.forEach((c, i) => {
      if (c.tables.vocab.length !== vocab.length || c.tables.vocab.some((t, k) => t !== vocab[k]))
        throw new ConfigError(`mixture model ${i + 1} has another vocabulary than model 1 (${vocab.length} tokens)`);
    });
    this.order = Math.max(...components.map((c) => c.order));
    this.own = new Int32Array(components.length);
  }

  id(ch: string): number {
    return this.components[0]!.id(ch);
  }

  score(tokens: Int32Array): MixtureScored {
    const parts = this.components.map((c) => c.score(tokens));
    const prob = new Float64Array(tokens.length);
    parts.forEach((part, i) => {
      for (let j = 0; j < prob.length; j++) prob[j]! += this.weights[i]! * part.prob[j]!;
    });
    return { tokens, prob, parts };
  }

  ratio(scored: ScoredText, t: number, token: number, floor = -Infinity): number {
    const { parts, prob } = scored as MixtureScored;
    const n = Math.min(this.order, prob.length - t);
    const own = this.own;
    for (let i = 0; i < parts.length; i++) own[i] = this.components[i]!.beginWindow(parts[i]!, t, token);
    const limit = Math.exp(floor);
    let r = 1;
    for (let k = 0; k < n; k++) {
      if (limit > 0 && cannotReach(r, prob, t + k, t + n, limit)) {
        r = 0;
        break;
      }
      let p = 0;
      for (let i = 0; i < parts.length; i++) {
        // A lower-order model's window ends sooner: past it, its p is the text's own.
        const pi = k < own[i]! ? this.components[i]!.nextProb() : parts[i]!.prob[t + k]!;
        p += this.weights[i]! * pi;
      }
      r *= p / prob[t + k]!;
    }
    // The models share the tokens: put the replaced one back in reverse order.
    for (let i = parts.length - 1; i >= 0; i--) this.components[i]!.endWindow();
    return r;
  }
}

/** The mixture's scores and each model's. */
interface MixtureScored extends ScoredText {
  readonly parts: readonly ScoredText[];
}
