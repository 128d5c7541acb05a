/**
 * Chooses the n-gram decision rule on the dev slice and evaluates it on SIGHAN-2015 test
 * (lm-train.ts's phases `tune` and `eval`):
 * - tune: for the n-gram model alone and for n-gram + network, the rule ({@link LmRule}) with the best
 *   sentence-level correction F1 among those that change at most `maxFpr` of the error-free dev sentences
 *   → OUT/<model>.rule.json (<model>: the model file's name without .bin);
 * - eval: SIGHAN-2015 test through the network alone (today's thresholds), the n-gram model alone, and
 *   both → OUT/<model>.eval.json and a Markdown table OUT/<model>.eval.md.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { log } from '../../../framework/log.js';
import { type CscPair, readSighanJson } from './sighan.js';
import { type CandidateMode, type CharScore, Corrector, type CscManifest, decide } from './corrector.js';
import {
  applyEdits,
  type CscLmSection,
  type Edit,
  type LmRule,
  LmEvidence,
  networkCandidates,
  type PositionCandidates,
} from './lm-rule.js';
import { readNgramLm } from './ngram-format.js';
import type { CharLm, NgramLm } from './ngram-lm.js';
import { MixtureLm } from './ngram-mixture.js';
import type { ConfusionSet } from './confusion.js';
import { type ContextModel, readContextModel, writeContextModel } from './context-model.js';
import { cscDevSet, domainFile } from './lm-build.js';
import { type CscMetrics, sentenceMetrics } from './metrics.js';

/**
 * How candidates are found and judged: `ngram`, every confusion-set candidate by the n-gram models alone;
 * `confusion` and `vocab`, the network's candidates in that Taskflow mode, by the n-gram models and the network.
 */
export type EvidenceKind = 'ngram' | CandidateMode;
const KINDS: readonly EvidenceKind[] = ['ngram', 'confusion', 'vocab'];

/** Every confusion-set candidate of each position, without a network (margins 0). */
export function confusionCandidates(text: string, confusion: ConfusionSet): PositionCandidates[] {
  return Array.from(text, (ch) => {
    const chars = [...confusion.candidates(ch)];
    return { chars, neuralMargins: new Float32Array(chars.length) };
  });
}

/** Evidence of every text, either kind. */
export function collectEvidence(
  texts: readonly string[],
  scores: readonly CharScore[][],
  lm: CharLm,
  confusion: ConfusionSet,
  kind: EvidenceKind,
  maxCandidates: number,
  context?: ContextModel,
): LmEvidence[] {
  return texts.map((t, i) =>
    LmEvidence.collect(
      t,
      lm,
      kind === 'ngram' ? confusionCandidates(t, confusion) : networkCandidates(scores[i]!, kind, maxCandidates),
      undefined,
      context,
    ),
  );
}

/**
 * Weights tried: the network's and, with a context model, its two margins' (characters, tags) and a group bias.
 * (The network weight was once capped at 0.2 with a context model, to keep the grid small: a network trained 210
 * steps on a weak encoder earned no more. On the v2 encoder it does.)
 */
const NEURAL_WEIGHTS = [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2];
const CONTEXT_WEIGHTS = [0, 0.1, 0.2, 0.3];
const POS_WEIGHTS = [0, 0.25, 0.5, 1];
const GROUP_BIASES = [0, 1, 2, 3];

/** The candidate rules: weights (of the network and the context model) × thresholds × edit limits. */
export function ruleGrid(kind: EvidenceKind, maxCandidates: number, context?: ContextModel): LmRule[] {
  const neural = kind === 'ngram' ? [0] : NEURAL_WEIGHTS;
  const rules: LmRule[] = [];
  for (const neuralWeight of neural)
    for (const contextWeight of context?.hasCharView() ? CONTEXT_WEIGHTS : [0])
      for (const posWeight of context ? POS_WEIGHTS : [0])
        for (const groupBias of context ? GROUP_BIASES : [0])
          for (let threshold = -2; threshold <= 16; threshold += 0.25)
            for (const maxEdits of [1, 2, 3]) {
              const rule = { neuralWeight, threshold, maxEdits, maxCandidates: kind === 'ngram' ? 0 : maxCandidates };
              rules.push(context ? { ...rule, contextWeight, posWeight, groupBias } : rule);
            }
  return rules;
}

/**
 * The rule with the best correction F1 (then detection F1) whose share of changed error-free sentences stays
 * within `maxFpr`.
 */
export function tuneRule(
  pairs: readonly CscPair[],
  evidence: readonly LmEvidence[],
  rules: readonly LmRule[],
  maxFpr: number,
): { rule: LmRule; metrics: CscMetrics } | undefined {
  let best: { rule: LmRule; metrics: CscMetrics } | undefined;
  const key = (m: CscMetrics) => m.correction.f1 * 1000 + m.detection.f1;
  const maxEdits = Math.max(...rules.map((r) => r.maxEdits));
  // One greedy sequence per text and set of weights; a rule takes its first n edits (n by threshold and limit).
  const paths = new Map<string, { edits: Edit[][]; targets: string[][] }>();
  for (const rule of rules) {
    const path = `${rule.neuralWeight}/${rule.contextWeight ?? 0}/${rule.posWeight ?? 0}/${rule.groupBias ?? 0}`;
    let p = paths.get(path);
    if (!p) {
      const edits = evidence.map((e) => e.edits(rule.neuralWeight, maxEdits, rule));
      const targets = pairs.map((q, i) =>
        Array.from({ length: maxEdits + 1 }, (_, n) => applyEdits(q.source, edits[i]!, -Infinity, n).target),
      );
      paths.set(path, (p = { edits, targets }));
    }
    const { edits, targets } = p;
    const outputs = targets.map((t, i) => {
      const steps = edits[i]!;
      let n = 0;
      while (n < rule.maxEdits && n < steps.length && steps[n]!.score >= rule.threshold) n++;
      return t[n]!;
    });
    const metrics = sentenceMetrics(pairs, outputs);
    if (metrics.falsePositiveRate <= maxFpr && (!best || key(metrics) > key(best.metrics))) best = { rule, metrics };
  }
  return best;
}

/** Options of the `tune` and `eval` phases. */
export interface LmEvalOptions {
  readonly out: string;
  readonly data: string;
  /** The neural corrector's model directory. */
  readonly model: string;
  /** The n-gram model file. */
  readonly lm: string;
  /** Largest share of error-free dev sentences a chosen rule may change. */
  readonly maxFpr: number;
  /** Candidates judged per character in mode `confusion`: the network's best this many (0: all). */
  readonly maxCandidates: number;
  /** The context model of confusable characters (lm-context.ts), when the rules may use it. */
  readonly context?: string;
}

/** The network's scores in both modes, and the evidence of every kind (with the time each took). */
async function scoreSet(
  corrector: Corrector,
  lm: CharLm,
  set: readonly CscPair[],
  maxCandidates: number,
  context?: ContextModel,
) {
  const texts = set.map((p) => p.source);
  const scores = { confusion: await corrector.score(texts, 'confusion'), vocab: await corrector.score(texts, 'vocab') };
  const evidence = {} as Record<EvidenceKind, LmEvidence[]>;
  const ms = {} as Record<EvidenceKind, number>;
  for (const kind of KINDS) {
    const started = performance.now();
    const modeScores = scores[kind === 'vocab' ? 'vocab' : 'confusion'];
    evidence[kind] = collectEvidence(texts, modeScores, lm, corrector.confusion, kind, maxCandidates, context);
    ms[kind] = performance.now() - started;
  }
  return { scores, evidence, ms };
}

/** The chosen in-domain weight and rules. */
export interface LmChoice {
  /** Weight of the in-domain model in the mixture. */
  readonly domainWeight: number;
  readonly rules: Record<EvidenceKind, LmRule>;
  /** Each rule's dev metrics. */
  readonly dev: Record<EvidenceKind, CscMetrics>;
}

/** Perplexity of a model on texts (their ends included). */
export function perplexity(lm: CharLm, texts: readonly string[]): number {
  let logProb = 0;
  let n = 0;
  for (const t of texts) {
    logProb += lm.sentenceLogProb(t);
    n += Array.from(t).length + 1;
  }
  return Math.exp(-logProb / n);
}

/** The general model (options.lm) and the in-domain one beside it. */
function readModels(options: LmEvalOptions): [NgramLm, NgramLm] {
  const domain = domainFile(options.lm);
  return [readNgramLm(readFileSync(options.lm), options.lm), readNgramLm(readFileSync(domain), domain)];
}

/** The context model options name, if any. */
function readContext(options: LmEvalOptions): ContextModel | undefined {
  return options.context === undefined ? undefined : readContextModel(readFileSync(options.context), options.context);
}

/** Phase `tune`: the in-domain weight with the lowest dev-target perplexity, then the rules → OUT/<model>.rule.json. */
export async function tuneLmRules(options: LmEvalOptions): Promise<LmChoice> {
  const dev = cscDevSet(options.data);
  const models = readModels(options);
  const targets = dev.filter((p) => !p.id.endsWith('-clean')).map((p) => p.target);
  const curve = Array.from({ length: 10 }, (_, i) => i / 10).map((w) => ({
    domainWeight: w,
    perplexity: perplexity(new MixtureLm(models, [1 - w, w]), targets),
  }));
  const { domainWeight } = curve.reduce((a, b) => (b.perplexity < a.perplexity ? b : a));
  log.info(
    `lm mixture: dev-target perplexity ${curve.map((c) => c.perplexity.toFixed(1)).join(' ')} → ${domainWeight}`,
  );
  const lm = new MixtureLm(models, [1 - domainWeight, domainWeight]);
  const corrector = await Corrector.load(options.model);
  const context = readContext(options);
  const { evidence } = await scoreSet(corrector, lm, dev, options.maxCandidates, context);
  await corrector.release();
  const rules = {} as Record<EvidenceKind, LmRule>;
  const metrics = {} as Record<EvidenceKind, CscMetrics>;
  const report: Record<string, unknown> = { lm: options.lm, maxFpr: options.maxFpr, devSentences: dev.length, curve };
  for (const kind of KINDS) {
    const grid = ruleGrid(kind, options.maxCandidates, context);
    const best = tuneRule(dev, evidence[kind], grid, options.maxFpr);
    if (!best) throw new Error(`no ${kind} rule keeps the dev false-alarm rate within ${options.maxFpr}`);
    rules[kind] = best.rule;
    metrics[kind] = best.metrics;
    report[kind] = best;
    log.info(`lm rule (${kind}): ${JSON.stringify(best.rule)}, dev ${summary(best.metrics)}`);
  }
  writeFileSync(outFile(options, 'rule.json'), `${JSON.stringify(report, null, 2)}\n`);
  return { domainWeight, rules, dev: metrics };
}

/** Phase `eval`: SIGHAN-2015 test, three systems → OUT/eval.json, OUT/eval.md. */
export async function evaluateLmRules(options: LmEvalOptions, choice: LmChoice): Promise<void> {
  const { rules, domainWeight } = choice;
  const test = readSighanJson(join(options.data, 'csc/sighan15_test.json'));
  const lm = new MixtureLm(readModels(options), [1 - domainWeight, domainWeight]);
  const corrector = await Corrector.load(options.model);
  const context = readContext(options);
  const { scores, evidence, ms } = await scoreSet(corrector, lm, test, options.maxCandidates, context);
  const { thresholds } = corrector.manifest;
  await corrector.release();
  const network = (mode: CandidateMode) =>
    sentenceMetrics(
      test,
      test.map((p, i) => decide(p.source, scores[mode][i]!, thresholds[mode]).target),
    );
  const withLm = (kind: EvidenceKind) =>
    sentenceMetrics(
      test,
      evidence[kind].map((e) => e.decide(rules[kind]).target),
    );
  const rows: Record<string, CscMetrics> = {
    'network only, `confusion` mode (before)': network('confusion'),
    'n-gram only (every confusion-set candidate)': withLm('ngram'),
    '**n-gram + network, `confusion` mode (Taskflow default)**': withLm('confusion'),
    'network only, `vocab` mode (before)': network('vocab'),
    'n-gram + network, `vocab` mode': withLm('vocab'),
  };
  for (const [name, m] of Object.entries(rows)) log.info(`SIGHAN-2015 test, ${name}: ${summary(m)}`);
  writeFileSync(outFile(options, 'eval.json'), `${JSON.stringify({ ...choice, rows, evidenceMs: ms }, null, 2)}\n`);
  const f = (x: number) => x.toFixed(4);
  const md = [
    '| system | detection P / R / F1 | correction P / R / F1 | error-free left unchanged |',
    '|---|---|---|---|',
    ...Object.entries(rows).map(
      ([name, m]) =>
        `| ${name} | ${f(m.detection.precision)} / ${f(m.detection.recall)} / ${f(m.detection.f1)} | ` +
        `${f(m.correction.precision)} / ${f(m.correction.recall)} / ${f(m.correction.f1)} | ` +
        `${(100 * (1 - m.falsePositiveRate)).toFixed(1)}% |`,
    ),
  ];
  writeFileSync(outFile(options, 'eval.md'), `${md.join('\n')}\n`);
}

function summary(m: CscMetrics): string {
  const p = (x: { precision: number; recall: number; f1: number }) =>
    `${x.precision.toFixed(4)}/${x.recall.toFixed(4)}/${x.f1.toFixed(4)}`;
  return `detection P/R/F1 ${p(m.detection)}, correction ${p(m.correction)}, FPR ${m.falsePositiveRate.toFixed(4)}`;
}

/** OUT/<model file stem>.<name>, so that several models can be compared side by side. */
function outFile(options: LmEvalOptions, name: string): string {
  return join(options.out, `${basename(options.lm, '.bin')}.${name}`);
}

/**
 * Copies the models into a corrector's model directory (`lm.bin`, `lm.domain.bin`, and `context.bin` when a chosen
 * rule weighs the context model; its tag view alone when no rule weighs its character view) and writes the `lm`
 * section of its csc.json: the mixture weights and the rules of both Taskflow modes, with their provenance.
 */
export function exportLm(options: LmEvalOptions, choice: LmChoice, to: string): void {
  const manifestFile = join(to, 'csc.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as CscManifest;
  copyFileSync(options.lm, join(to, 'lm.bin'));
  copyFileSync(domainFile(options.lm), join(to, 'lm.domain.bin'));
  const { confusion, vocab } = choice.rules;
  const weighs = (rule: LmRule) => Boolean(rule.contextWeight || rule.posWeight || rule.groupBias);
  const context = options.context && (weighs(confusion) || weighs(vocab)) ? options.context : undefined;
  if (context) {
    // Without a rule that weighs the character view, the tag view alone ships (tens of kB instead of MB).
    const model = readContextModel(readFileSync(context), context);
    const chars = Boolean(confusion.contextWeight || vocab.contextWeight);
    writeFileSync(join(to, 'context.bin'), writeContextModel(chars ? model : model.tagsOnly()));
  } else rmSync(join(to, 'context.bin'), { force: true });
  const lm: CscLmSection = {
    files: ['lm.bin', 'lm.domain.bin'],
    weights: [Number((1 - choice.domainWeight).toFixed(6)), choice.domainWeight],
    ...(context ? { context: 'context.bin' } : {}),
    rules: { confusion: choice.rules.confusion, vocab: choice.rules.vocab },
    source: {
      built: options.lm,
      build: buildSummary(options.lm),
      ...(context ? { context: contextSummary(context) } : {}),
      maxFpr: options.maxFpr,
      dev: { confusion: choice.dev.confusion, vocab: choice.dev.vocab },
      command: 'fewprompt taskflow-train text_correction_lm (see MODEL_CARD.md)',
    },
  };
  writeFileSync(manifestFile, `${JSON.stringify({ ...manifest, lm }, null, 2)}\n`);
  log.info(`lm export: ${to} (lm.bin, lm.domain.bin, csc.json lm section)`);
}

/** What lm-context.ts recorded about the context model, less its local paths. */
function contextSummary(file: string): Record<string, unknown> {
  const {
    out: _out,
    data: _data,
    file: _file,
    ...rest
  } = JSON.parse(readFileSync(file.replace(/\.bin$/, '.json'), 'utf8')) as Record<string, unknown>;
  return rest;
}

/** What lm-build.ts recorded about a model, less its local paths. */
function buildSummary(file: string): Record<string, unknown> {
  const b = JSON.parse(readFileSync(file.replace(/\.bin$/, '.json'), 'utf8')) as Record<string, unknown>;
  const d = (b['domain'] ?? {}) as Record<string, unknown>;
  const keys = [
    'order',
    'minCounts',
    'minCharCount',
    'maxCharsPerFile',
    'sentences',
    'tokens',
    'vocab',
    'kept',
    'bytes',
  ];
  return {
    ...Object.fromEntries(keys.map((k) => [k, b[k]])),
    domain: { tokens: d['tokens'], kept: d['kept'], bytes: d['bytes'] },
  };
}
