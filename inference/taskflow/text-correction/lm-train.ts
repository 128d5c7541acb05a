/**
 * The `text_correction_lm` recipe: the corrector's character n-gram models (lm-build.ts), the context model of
 * confusable characters (lm-context.ts) and the rule that joins them to the network, chosen on the dev slice and
 * scored on SIGHAN-2015 test (lm-eval.ts). It runs after the network's recipe (train.ts): the rule is tuned with an
 * exported corrector, by default the shipped one.
 *
 *   fewprompt taskflow-train text_correction_lm --out runs/csc-lm --bundle models/taskflow/text-correction
 *   fewprompt taskflow-train text_correction_lm --out runs/csc-lm --phases tune,eval   # reuse OUT's models
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../framework/errors.js';
import { buildLm, prepareLmCorpus } from './lm-build.js';
import { buildContextModel } from './lm-context.js';
import { evaluateLmRules, exportLm, type LmChoice, type LmEvalOptions, tuneLmRules } from './lm-eval.js';
import { SHIPPED_CSC_MODEL } from './task.js';
import { type CorrectionLmOptions, LM_PHASES, phaseList, resolveCorrectionLmOptions } from './train-options.js';

/** What {@link buildCorrectionLm} returns. */
export interface CorrectionLmResult {
  readonly out: string;
  /** The general model tuned and evaluated (the in-domain one sits beside it). */
  readonly lm: string;
  /** The mixture weight and rules chosen on dev, when `tune` ran. */
  readonly choice?: LmChoice;
  /** Where the models and the rule were written, with `bundle`. */
  readonly bundle?: string;
}

/** `--min-counts 1,2,3` → [1, 2, 3]. */
function minCountList(list: string): number[] {
  const counts = list.split(',').map(Number);
  if (counts.some((c) => !Number.isInteger(c) || c < 1))
    throw new ConfigError(`--min-counts must be positive integers, got '${list}'`);
  return counts;
}

/**
 * Runs the requested phases: corpus → build → context → tune → eval, and with `bundle` writes the models and the
 * rule there.
 * @example await buildCorrectionLm({ out: 'runs/csc-lm', phases: 'tune,eval' }); // → { choice: { rules, … }, … }
 */
export async function buildCorrectionLm(options: Partial<CorrectionLmOptions> = {}): Promise<CorrectionLmResult> {
  const o = resolveCorrectionLmOptions(options);
  const phases = phaseList(o.phases, LM_PHASES);
  const minCounts = minCountList(o.minCounts);
  if (o.bundle !== undefined && !phases.includes('tune'))
    throw new ConfigError('--bundle needs the tune phase: the rules it writes are chosen there');
  if (phases.includes('eval') && !phases.includes('tune'))
    throw new ConfigError('--phases eval needs tune too: the rules it evaluates are chosen there');
  mkdirSync(o.out, { recursive: true });
  if (phases.includes('corpus')) await prepareLmCorpus(o.data, o.out);
  if (phases.includes('build')) {
    const build = { out: o.out, data: o.data, order: o.order, minCounts, minCharCount: o.minCharCount };
    buildLm({ ...build, maxCharsPerFile: o.maxCharsPerFile, file: o.file });
  }
  const context = o.context === '' ? undefined : join(o.out, o.context);
  if (phases.includes('context')) {
    if (!context) throw new ConfigError("--phases context needs --context (a file name), not ''");
    const { out, data, maxCharsPerFile } = o;
    const counts = { minPairCount: o.contextMinPairs, domainRepeat: o.contextDomainRepeat };
    const estimate = { beta: o.contextBeta, minCount: o.contextMinCount, chars: o.contextChars };
    buildContextModel({ out, data, maxCharsPerFile, ...counts, ...estimate });
  }
  if (context && phases.includes('tune') && !existsSync(context))
    throw new ConfigError(`${context} is missing: run the context phase first, or pass --context '' for none`);
  const lm = o.lm ?? join(o.out, o.file);
  const evalOptions: LmEvalOptions = {
    out: o.out,
    data: o.data,
    model: o.model ?? SHIPPED_CSC_MODEL,
    lm,
    maxFpr: o.maxFpr,
    maxCandidates: o.maxCandidates,
    ...(context ? { context } : {}),
  };
  if (!phases.includes('tune')) return { out: o.out, lm };
  const choice = await tuneLmRules(evalOptions);
  if (phases.includes('eval')) await evaluateLmRules(evalOptions, choice);
  if (o.bundle !== undefined) exportLm(evalOptions, choice, o.bundle);
  return { out: o.out, lm, choice, ...(o.bundle === undefined ? {} : { bundle: o.bundle }) };
}
