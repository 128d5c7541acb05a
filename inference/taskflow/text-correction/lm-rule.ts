/**
 * The precision-first decision rule: a character is replaced by one of its confusion-set candidates only
 * when a character n-gram model and the network agree strongly enough that the text gets better.
 *
 *     score(position, candidate) = Δ ln p_ngram(text) + neuralWeight · (ln p_net(candidate) − ln p_net(written))
 *                                  + contextWeight · (ln P_ctx(candidate) − ln P_ctx(written))
 *                                  + posWeight · (ln P_pos(candidate) − ln P_pos(written)) + groupBias
 *
 * Δ ln p_ngram is the change of the whole text's n-gram log-probability (only the n-grams that cover the
 * position change). The last three terms count only for an edit within one confusable group (的/地/得 …): the
 * context model's margins (context-model.ts: two characters either side; the tags of the words either side) and
 * a bias (these confusions are the most common errors). The best-scoring edit is applied when its score reaches
 * `threshold`; the evidence around it is then recomputed (a neighbour's candidates are judged in the corrected
 * context), and so on, at most `maxEdits` times. Characters the n-gram model does not know are never touched and
 * never proposed: the model could not judge them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError } from '../../../framework/errors.js';
import type { CandidateMode, CharScore, CorrectionError, CorrectionResult } from './corrector.js';
import { isHanzi } from './confusion.js';
import { type ContextModel, posContexts, readContextModel } from './context-model.js';
import { readNgramLm } from './ngram-format.js';
import { type CharLm, type NgramLm, UNK } from './ngram-lm.js';
import { MixtureLm } from './ngram-mixture.js';

/** Thresholds of the rule (chosen on dev; see lm-eval.ts). */
export interface LmRule {
  /** Weight of the network's log-probability margin; 0: the n-gram model alone. */
  readonly neuralWeight: number;
  /** Minimum score of an edit, in nats. */
  readonly threshold: number;
  /** Most edits per text. */
  readonly maxEdits: number;
  /** Candidates judged per character: the network's best this many (0: all). */
  readonly maxCandidates: number;
  /** Weight of the context model's margin by characters (absent: 0, or no context model). */
  readonly contextWeight?: number;
  /** Weight of the context model's margin by the neighbouring words' part-of-speech tags (absent: 0). */
  readonly posWeight?: number;
  /** Added to the score of an edit within a confusable group (absent: 0): these errors are common. */
  readonly groupBias?: number;
}

/** Candidates for one position and the network's margin for each (0 when there is no network). */
export interface PositionCandidates {
  readonly chars: readonly string[];
  readonly neuralMargins: ArrayLike<number>;
}

/**
 * The evidence for every possible edit of one text, computed once; {@link LmEvidence.decide} applies a
 * rule to it (cheaply, so thresholds can be tuned over many rules).
 * @example
 * const ev = LmEvidence.collect('我们去学效', lm, [..., { chars: ['校'], neuralMargins: [0] }]);
 * ev.decide({ neuralWeight: 0, threshold: 2, maxEdits: 2 }).target // → '我们去学校'
 */
export class LmEvidence {
  private constructor(
    private readonly text: string,
    private readonly lm: CharLm,
    private readonly tokens: Int32Array,
    /** Per option: position, candidate, its n-gram token, network margin, n-gram Δ, context margins (chars, tags). */
    private readonly position: Int32Array,
    private readonly chars: readonly string[],
    private readonly token: Int32Array,
    private readonly neural: Float32Array,
    private readonly lmDelta: Float32Array,
    private readonly context: Float32Array,
    private readonly pos: Float32Array,
    /** 1 for an edit within a confusable group of the context model. */
    private readonly grouped: Uint8Array,
    private readonly contextModel: ContextModel | undefined,
  ) {}

  /**
   * The evidence after each sequence of edits (option indices), kept: tuning walks many rules whose greedy
   * sequences share their first edits, and the n-gram look-ups after an edit are the expensive part.
   */
  private readonly after = new Map<string, EvidenceState>();

  /**
   * Scores every candidate of every position (`candidates[i]` for character i; undefined: none). Given the rule
   * that will decide, a candidate that cannot reach its threshold is not looked up in full (its Δ is −∞): the
   * decision is the same, faster. Without one, every Δ is exact (for tuning thresholds over many rules).
   */
  static collect(
    text: string,
    lm: CharLm,
    candidates: readonly (PositionCandidates | undefined)[],
    rule?: LmRule,
    contextModel?: ContextModel,
  ): LmEvidence {
    const tokens = lm.encode(text);
    const scored = lm.score(tokens);
    const written = Array.from(text);
    const o = { position: [] as number[], chars: [] as string[], token: [] as number[], neural: [] as number[] };
    const lmDelta: number[] = [];
    const context: number[] = [];
    const pos: number[] = [];
    const grouped: number[] = [];
    // Tagging costs little (jieba), but nothing at all when the deciding rule does not weigh tags.
    const tags = contextModel && (!rule || rule.posWeight) ? posContexts(text) : undefined;
    written.forEach((ch, i) => {
      const c = candidates[i];
      if (!c || !isHanzi(ch) || tokens[i + 1] === UNK) return;
      c.chars.forEach((cand, k) => {
        const id = lm.id(cand);
        if (id === UNK || cand === ch) return;
        const ctx = contextModel ? contextModel.margin(written, i, cand) : 0;
        const byTags = contextModel && tags ? contextModel.posMargin(tags, written, i, cand) : 0;
        o.position.push(i);
        o.chars.push(cand);
        o.token.push(id);
        o.neural.push(c.neuralMargins[k]!);
        context.push(ctx);
        pos.push(byTags);
        const inGroup = contextModel?.sameGroup(ch, cand) ? 1 : 0;
        grouped.push(inGroup);
        const other = rule
          ? rule.neuralWeight * c.neuralMargins[k]! +
            (rule.contextWeight ?? 0) * ctx +
            (rule.posWeight ?? 0) * byTags +
            (rule.groupBias ?? 0) * inGroup
          : 0;
        lmDelta.push(Math.log(lm.ratio(scored, i + 1, id, rule ? rule.threshold - other : -Infinity)));
      });
    });
    const f32 = (a: number[]) => Float32Array.from(a);
    const [position, token] = [Int32Array.from(o.position), Int32Array.from(o.token)];
    return new LmEvidence(
      text,
      lm,
      tokens,
      position,
      o.chars,
      token,
      f32(o.neural),
      f32(lmDelta),
      f32(context),
      f32(pos),
      Uint8Array.from(grouped),
      contextModel,
    );
  }

  /** Number of candidate edits considered. */
  get size(): number {
    return this.position.length;
  }

  /** Applies a rule. */
  decide(rule: LmRule): CorrectionResult {
    const steps = this.edits(rule.neuralWeight, rule.maxEdits, rule);
    return applyEdits(this.text, steps, rule.threshold, rule.maxEdits);
  }

  /**
   * The greedy sequence of edits, best first, whatever their score: the threshold only decides where a rule
   * stops along it, so one sequence serves every threshold.
   */
  edits(neuralWeight: number, maxEdits: number, context: ContextWeights = {}): Edit[] {
    const { contextWeight = 0, posWeight = 0, groupBias = 0 } = context;
    const steps: Edit[] = [];
    const tokens = Int32Array.from(this.tokens);
    const written = Array.from(this.text);
    const edited = new Set<number>();
    const taken: number[] = [];
    let state: EvidenceState = { lmDelta: this.lmDelta, context: this.context };
    while (steps.length < maxEdits) {
      let best = -1;
      let bestScore = -Infinity;
      for (let k = 0; k < this.size; k++) {
        const score =
          state.lmDelta[k]! +
          neuralWeight * this.neural[k]! +
          contextWeight * state.context[k]! +
          posWeight * this.pos[k]! +
          groupBias * this.grouped[k]!;
        if (score > bestScore && !edited.has(this.position[k]!)) {
          best = k;
          bestScore = score;
        }
      }
      if (best < 0) break;
      const at = this.position[best]!;
      steps.push({ position: at, char: this.chars[best]!, score: bestScore });
      edited.add(at);
      tokens[at + 1] = this.token[best]!;
      written[at] = this.chars[best]!;
      taken.push(best);
      const key = taken.join(',');
      let next = this.after.get(key);
      if (!next) this.after.set(key, (next = this.advance(state, tokens, written, edited, at)));
      state = next;
    }
    return steps;
  }

  /** The evidence after an edit at `at` (tokens and written already edited): its neighbours judged anew. */
  private advance(
    state: EvidenceState,
    tokens: Int32Array,
    written: readonly string[],
    edited: ReadonlySet<number>,
    at: number,
  ): EvidenceState {
    const lmDelta = Float32Array.from(state.lmDelta);
    const context = Float32Array.from(state.context);
    const reach = this.lm.order - 1;
    const scored = this.lm.score(tokens);
    for (let k = 0; k < this.size; k++) {
      const p = this.position[k]!;
      if (edited.has(p)) continue;
      if (Math.abs(p - at) <= reach) lmDelta[k] = Math.log(this.lm.ratio(scored, p + 1, this.token[k]!));
      // The context model sees two characters either side.
      if (this.contextModel && Math.abs(p - at) <= 2) context[k] = this.contextModel.margin(written, p, this.chars[k]!);
    }
    return { lmDelta, context };
  }
}

/** What an edit changes of the evidence: the n-gram Δ and the context model's character margin of each option. */
interface EvidenceState {
  readonly lmDelta: Float32Array;
  readonly context: Float32Array;
}

/** The context model's terms of a rule. */
export type ContextWeights = Pick<LmRule, 'contextWeight' | 'posWeight' | 'groupBias'>;

/** One step of {@link LmEvidence.edits}. */
export interface Edit {
  readonly position: number;
  readonly char: string;
  readonly score: number;
}

/**
 * The text after the edits up to the first one scoring below `threshold` (at most `maxEdits`).
 * @example applyEdits('学效', [{ position: 1, char: '校', score: 5 }], 2, 1).target // → '学校'
 */
export function applyEdits(
  text: string,
  steps: readonly Edit[],
  threshold: number,
  maxEdits: number,
): CorrectionResult {
  const out = Array.from(text);
  const errors: CorrectionError[] = [];
  for (const step of steps.slice(0, maxEdits)) {
    if (step.score < threshold) break;
    errors.push({ position: step.position, correction: { [out[step.position]!]: step.char } });
    out[step.position] = step.char;
  }
  errors.sort((a, b) => a.position - b.position);
  return { source: text, target: out.join(''), errors };
}

/** `csc.json`'s `lm` section: the n-gram models, their mixture weights, and a rule per candidate mode. */
export interface CscLmSection {
  /** Model files in the model directory (ngram-format.ts), one vocabulary. */
  readonly files: readonly string[];
  /** Mixture weights, one per file, summing to 1. */
  readonly weights: readonly number[];
  /** The context model's file in the model directory (context-model.ts), for rules with a `contextWeight`. */
  readonly context?: string;
  /** The rule of each mode that uses the models (a mode without one decides by the network alone). */
  readonly rules: Partial<Record<CandidateMode, LmRule>>;
  /** Free-form provenance (how the models were built, the dev metrics). */
  readonly source?: Record<string, unknown>;
}

/**
 * Loads the models an `lm` section names (one-line `BundleError`s for a missing file or a bad rule).
 * @example loadLmSection('models/taskflow/text-correction', manifest.lm, 'csc.json').lm.order // → 4
 */
export function loadLmSection(
  dir: string,
  section: CscLmSection,
  where: string,
): { lm: CharLm; context?: ContextModel } {
  if (!Array.isArray(section.files) || section.files.length === 0 || section.files.length !== section.weights?.length)
    throw new BundleError(`${where}: lm needs 'files' and as many 'weights'`);
  const sum = section.weights.reduce((a, b) => a + b, 0);
  if (section.weights.some((w) => !(w >= 0)) || Math.abs(sum - 1) > 1e-6)
    throw new BundleError(`${where}: lm mixture weights must be ≥ 0 and sum to 1, got ${section.weights.join(', ')}`);
  for (const [mode, rule] of Object.entries(section.rules ?? {})) {
    const ok =
      rule &&
      [rule.neuralWeight, rule.threshold, rule.contextWeight ?? 0, rule.posWeight ?? 0, rule.groupBias ?? 0].every(
        Number.isFinite,
      ) &&
      Number.isInteger(rule.maxEdits);
    if (!ok || !(Number.isInteger(rule.maxCandidates) && rule.maxCandidates >= 0))
      throw new BundleError(
        `${where}: lm.rules.${mode} needs numbers neuralWeight, threshold, maxEdits and maxCandidates`,
      );
  }
  const read = (f: string) => {
    const file = join(dir, f);
    if (!existsSync(file)) throw new BundleError(`${where}: lm file ${f} is missing in ${dir}`);
    return { bytes: readFileSync(file), file };
  };
  const models: NgramLm[] = section.files.map((f) => {
    const { bytes, file } = read(f);
    return readNgramLm(bytes, file);
  });
  const context = section.context === undefined ? undefined : read(section.context);
  try {
    const lm = models.length === 1 ? models[0]! : new MixtureLm(models, section.weights);
    return context ? { lm, context: readContextModel(context.bytes, context.file) } : { lm };
  } catch (error) {
    throw new BundleError(`${where}: ${(error as Error).message}`);
  }
}

/**
 * The network's candidates for each character, with margins ln p(candidate) − ln p(written): the confusion set
 * (mode `confusion`; its `max` best by the network when max > 0) or the masked LM's top character (mode `vocab`).
 */
export function networkCandidates(
  scores: readonly CharScore[],
  mode: CandidateMode,
  max = 0,
): (PositionCandidates | undefined)[] {
  return scores.map((s) => {
    if (mode === 'vocab')
      return s.best === undefined ? undefined : { chars: [s.best], neuralMargins: [s.bestLogprob - s.sourceLogprob] };
    if (!s.candidates || !s.candidateLogprobs) return undefined;
    const lp = s.candidateLogprobs;
    if (max <= 0 || lp.length <= max) {
      const neuralMargins = new Float32Array(lp.length);
      for (let k = 0; k < lp.length; k++) neuralMargins[k] = lp[k]! - s.sourceLogprob;
      return { chars: s.candidates, neuralMargins };
    }
    // The `max` best by selection (lists are a few dozen long: cheaper than sorting them).
    const taken = new Uint8Array(lp.length);
    const chars: string[] = [];
    const neuralMargins = new Float32Array(max);
    for (let n = 0; n < max; n++) {
      let best = -1;
      for (let k = 0; k < lp.length; k++) if (!taken[k] && (best < 0 || lp[k]! > lp[best]!)) best = k;
      taken[best] = 1;
      chars.push(s.candidates[best]!);
      neuralMargins[n] = lp[best]! - s.sourceLogprob;
    }
    return { chars, neuralMargins };
  });
}
