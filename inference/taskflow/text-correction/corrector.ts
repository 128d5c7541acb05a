/**
 * `Corrector`: a spelling-correction model directory on ONNX Runtime.
 *
 *     DIR/model.onnx      graph.ts's graph
 *     DIR/vocab.txt       the character vocabulary (ids of the graph)
 *     DIR/confusion.txt   character → confusion set (confusion.ts)
 *     DIR/csc.json        {@link CscManifest}: sequence limit and the decision thresholds
 *
 *     DIR/lm.bin …        optional character n-gram models (ngram-format.ts), named by csc.json's `lm` section
 *     DIR/context.bin     optional context model of confusable characters (context-model.ts), ditto
 *
 * In mode `confusion` (the default) candidates are the character's confusion set; in mode `vocab` any hanzi
 * of the vocabulary (the MLM's top token). With an `lm` rule for the mode, a candidate replaces a character
 * when the n-gram models and the network together say the text got better by the rule's threshold
 * (lm-rule.ts); without one, when the detection probability reaches `detect` and the candidate beats the
 * character by at least `margin` in the network's log-probability.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { BundleError, ConfigError } from '../../../framework/errors.js';
import { CharVocab } from './char-vocab.js';
import { ConfusionSet, isHanzi } from './confusion.js';
import { type CscLmSection, LmEvidence, loadLmSection, networkCandidates } from './lm-rule.js';
import type { CharLm } from './ngram-lm.js';
import type { ContextModel } from './context-model.js';

type Ort = typeof import('onnxruntime-node');

/** Where candidates come from. */
export type CandidateMode = 'confusion' | 'vocab';

/** Decision thresholds. */
export interface Thresholds {
  /** Minimum detection probability. */
  readonly detect: number;
  /** Minimum log p(candidate) − log p(written character). */
  readonly margin: number;
}

/** `csc.json`. */
export interface CscManifest {
  readonly format: 'fewprompt-csc';
  readonly formatVersion: 1;
  /** Longest input in tokens ([CLS] + characters + [SEP]); longer texts are corrected in windows. */
  readonly maxSeqLen: number;
  readonly precision: string;
  /** Tuned thresholds per candidate mode. */
  readonly thresholds: Readonly<Record<CandidateMode, Thresholds>>;
  /** The n-gram models and the rules that use them (lm-train.ts: fewprompt taskflow-train text_correction_lm). */
  readonly lm?: CscLmSection;
  /** Free-form provenance (base model, training recipe). */
  readonly source?: Record<string, unknown>;
}

/** One correction, PaddleNLP's shape: `{position, correction: {wrong: right}}`. */
export interface CorrectionError {
  readonly position: number;
  readonly correction: Record<string, string>;
}

/** Taskflow `text_correction`'s result. */
export interface CorrectionResult {
  readonly source: string;
  readonly target: string;
  readonly errors: CorrectionError[];
}

/** What the network says about one character. */
export interface CharScore {
  readonly char: string;
  readonly detect: number;
  readonly sourceLogprob: number;
  /** Best candidate other than the character (undefined when it has none). */
  readonly best?: string;
  readonly bestLogprob: number;
  /** Mode `confusion`: every candidate the network scored, and its ln p (same order). */
  readonly candidates?: readonly string[];
  readonly candidateLogprobs?: Float32Array;
}

/**
 * Applies thresholds to one text's scores.
 * @example
 * decide('遇到逆竟', scores, { detect: 0.5, margin: 0 });
 * // → { source: '遇到逆竟', target: '遇到逆境', errors: [{ position: 3, correction: { 竟: '境' } }] }
 */
export function decide(text: string, scores: readonly CharScore[], t: Thresholds): CorrectionResult {
  const chars = Array.from(text);
  const errors: CorrectionError[] = [];
  scores.forEach((s, i) => {
    if (s.best === undefined || s.detect < t.detect || s.bestLogprob - s.sourceLogprob < t.margin) return;
    errors.push({ position: i, correction: { [s.char]: s.best } });
    chars[i] = s.best;
  });
  return { source: text, target: chars.join(''), errors };
}

/**
 * A loaded corrector.
 * @example
 * const c = await Corrector.load('models/taskflow/text-correction');
 * await c.correct(['遇到逆竟时，我们必须勇于面对']);
 * // → [{ source: '遇到逆竟时，我们必须勇于面对', target: '遇到逆境时，我们必须勇于面对', errors: [{ position: 3, correction: { 竟: '境' } }] }]
 */
export class Corrector {
  private constructor(
    readonly manifest: CscManifest,
    readonly vocab: CharVocab,
    readonly confusion: ConfusionSet,
    private readonly session: InferenceSession,
    private readonly ort: Ort,
    /** The n-gram models of `manifest.lm`, when it has them. */
    readonly lm?: CharLm,
    /** The context model of confusable characters (`manifest.lm.context`), when it has one. */
    readonly context?: ContextModel,
  ) {}

  /** Reads a model directory; `threads` sets ORT's intra-op threads. */
  static async load(dir: string, options: { threads?: number } = {}): Promise<Corrector> {
    const need = (name: string): string => {
      const file = join(dir, name);
      if (!existsSync(file)) throw new BundleError(`${dir}: not a text-correction model (no ${name})`);
      return file;
    };
    const manifestFile = need('csc.json');
    let manifest: CscManifest;
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as CscManifest;
    } catch (error) {
      throw new BundleError(`${manifestFile}: not valid JSON (${(error as Error).message})`);
    }
    if (manifest.format !== 'fewprompt-csc' || manifest.formatVersion !== 1)
      throw new BundleError(
        `${manifestFile}: format ${String(manifest.format)} v${String(manifest.formatVersion)}, ` +
          'expected fewprompt-csc v1',
      );
    if (!Number.isInteger(manifest.maxSeqLen) || manifest.maxSeqLen < 3)
      throw new BundleError(`${manifestFile}: maxSeqLen must be an integer ≥ 3, got ${String(manifest.maxSeqLen)}`);
    const vocab = CharVocab.read(need('vocab.txt'));
    const confusion = ConfusionSet.parse(readFileSync(need('confusion.txt'), 'utf8'), join(dir, 'confusion.txt'));
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(need('model.onnx'), {
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
    });
    const models = manifest.lm ? loadLmSection(dir, manifest.lm, manifestFile) : undefined;
    return new Corrector(manifest, vocab, confusion, session, ort, models?.lm, models?.context);
  }

  /** Corrects every text: by the manifest's n-gram rule for `mode` when it has one, else by its thresholds. */
  async correct(
    texts: readonly string[],
    options: { mode?: CandidateMode; batchSize?: number; thresholds?: Thresholds } = {},
  ): Promise<CorrectionResult[]> {
    const mode = options.mode ?? 'confusion';
    const scores = await this.score(texts, mode, options.batchSize);
    const rule = options.thresholds ? undefined : this.manifest.lm?.rules[mode];
    const lm = this.lm;
    if (rule && lm)
      return texts.map((text, i) =>
        LmEvidence.collect(
          text,
          lm,
          networkCandidates(scores[i]!, mode, rule.maxCandidates),
          rule,
          this.context,
        ).decide(rule),
      );
    const t = options.thresholds ?? this.manifest.thresholds[mode];
    return texts.map((text, i) => decide(text, scores[i]!, t));
  }

  /** Per-character network scores (for {@link decide}; tuning thresholds needs them once). */
  async score(texts: readonly string[], mode: CandidateMode = 'confusion', batchSize = 32): Promise<CharScore[][]> {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
    const width = this.manifest.maxSeqLen - 2;
    const windows = texts.flatMap((text, owner) => {
      const chars = Array.from(text);
      const out: { owner: number; chars: string[] }[] = [];
      for (let at = 0; at < chars.length; at += width) out.push({ owner, chars: chars.slice(at, at + width) });
      return out;
    });
    const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.chars.length - windows[b]!.chars.length);
    const results: CharScore[][] = new Array<CharScore[]>(windows.length);
    for (let at = 0; at < order.length; at += batchSize) {
      const chunk = order.slice(at, at + batchSize);
      const scored = await this.run(
        chunk.map((i) => windows[i]!.chars),
        mode,
      );
      chunk.forEach((i, k) => {
        results[i] = scored[k]!;
      });
    }
    const out: CharScore[][] = texts.map(() => []);
    windows.forEach((w, i) => out[w.owner]!.push(...results[i]!));
    return out;
  }

  /** One padded batch of character windows through the graph. */
  private async run(rows: readonly string[][], mode: CandidateMode): Promise<CharScore[][]> {
    if (rows.every((r) => r.length === 0)) return rows.map(() => []);
    const seq = Math.max(...rows.map((r) => r.length)) + 2;
    const ids = rows.map((r) => Int32Array.from(r, (c) => this.vocab.id(c)));
    const cands = rows.map((r, b) =>
      r.map((c, t) => {
        if (mode === 'vocab' || !isHanzi(c) || ids[b]![t] === this.vocab.unk) return [] as number[];
        return [...this.confusion.candidates(c)].map((x) => this.vocab.id(x)).filter((id) => id !== this.vocab.unk);
      }),
    );
    const width = 1 + Math.max(0, ...cands.flatMap((r) => r.map((c) => c.length)));
    const n = rows.length;
    const inputIds = new Int32Array(n * seq);
    const mask = new Int32Array(n * seq);
    const positions = new Int32Array(n * seq);
    const candidateIds = new Int32Array(n * seq * width);
    rows.forEach((r, b) => {
      inputIds[b * seq] = this.vocab.cls;
      inputIds.set(ids[b]!, b * seq + 1);
      inputIds[b * seq + r.length + 1] = this.vocab.sep;
      mask.fill(1, b * seq, b * seq + r.length + 2);
      for (let t = 0; t < seq; t++) positions[b * seq + t] = t;
      r.forEach((_, t) => {
        const at = (b * seq + t + 1) * width;
        candidateIds.fill(ids[b]![t]!, at, at + width);
        candidateIds.set(cands[b]![t]!, at + 1);
      });
    });
    const T = (data: Int32Array, dims: number[]) => new this.ort.Tensor('int32', data, dims);
    const out = await this.session.run({
      input_ids: T(inputIds, [n, seq]),
      token_type_ids: T(new Int32Array(n * seq), [n, seq]),
      position_ids: T(positions, [n, seq]),
      attention_mask: T(mask, [n, seq]),
      candidate_ids: T(candidateIds, [n, seq, width]),
    });
    const detect = out['detect_prob']!.data as Float32Array;
    const logp = out['candidate_logprobs']!.data as Float32Array;
    const topLogp = out['top_logprob']!.data as Float32Array;
    const topId = out['top_id']!.data as BigInt64Array;
    return rows.map((r, b) =>
      r.map((char, t): CharScore => {
        const at = b * seq + t + 1;
        const sourceLogprob = logp[at * width]!;
        const base = { char, detect: detect[at]!, sourceLogprob };
        if (!isHanzi(char) || ids[b]![t] === this.vocab.unk) return { ...base, bestLogprob: -Infinity };
        if (mode === 'vocab') {
          const best = this.vocab.tokens[Number(topId[at])]!;
          return best === char || !isHanzi(best)
            ? { ...base, bestLogprob: -Infinity }
            : { ...base, best, bestLogprob: topLogp[at]! };
        }
        const list = cands[b]![t]!;
        let k = -1;
        for (let j = 0; j < list.length; j++) if (k < 0 || logp[at * width + 1 + j]! > logp[at * width + 1 + k]!) k = j;
        if (k < 0) return { ...base, bestLogprob: -Infinity };
        const candidates = list.map((id) => this.vocab.tokens[id]!);
        const candidateLogprobs = logp.subarray(at * width + 1, at * width + 1 + list.length);
        return { ...base, best: candidates[k]!, bestLogprob: logp[at * width + 1 + k]!, candidates, candidateLogprobs };
      }),
    );
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
