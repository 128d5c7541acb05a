/**
 * Builds the spelling corrector's character n-gram model, chooses its decision rule on the dev slice, and
 * evaluates it on SIGHAN-2015 test (see inference/taskflow/text-correction/lm-*.ts and
 * models/taskflow/text-correction/MODEL_CARD.md).
 *
 *   npx tsx scripts/build-csc-lm.ts --out runs/csc-lm --export-to models/taskflow/text-correction
 *
 * Phases: `corpus` (the shared corpora → OUT/corpus/, decontaminated; once, later runs can skip it), `build`
 * (→ OUT/FILE, the general model, and OUT/<FILE stem>.domain.bin, the in-domain one; OUT/<stem>.json: counts,
 * sizes), `tune` (the mixture weight by dev perplexity, then the rules on the dev slice → OUT/<stem>.rule.json),
 * `eval` (SIGHAN-2015 test: network only, n-gram only, both → OUT/<stem>.eval.json, OUT/<stem>.eval.md). With
 * --export-to, the two models go there as lm.bin and lm.domain.bin and its csc.json gets the `lm` section.
 *
 * Options (defaults in brackets): --data DIR [../shared] --model DIR [the shipped corrector] --order N [3]
 * --min-counts LIST [1,2,3: minimum raw count per order] --min-char-count N [3]
 * --max-chars-per-file N [6000000: characters read per corpus file; 0: all] --file NAME [lm.bin]
 * --max-fpr X [0.04: share of error-free dev sentences a rule may change] --max-candidates N [10]
 * --lm FILE [OUT/FILE: tune and evaluate another model] --phases LIST [corpus,build,tune,eval]
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../framework/errors.js';
import { join } from 'node:path';
import { buildLm, prepareLmCorpus } from '../inference/taskflow/text-correction/lm-build.js';
import {
  evaluateLmRules,
  exportLm,
  type LmEvalOptions,
  tuneLmRules,
} from '../inference/taskflow/text-correction/lm-eval.js';
import { numberFlag } from '../experiments/cli/flags.js';
import { SHIPPED_CSC_MODEL } from '../inference/taskflow/text-correction/task.js';

const PHASES = ['corpus', 'build', 'tune', 'eval'];
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared' },
    out: { type: 'string' },
    model: { type: 'string', default: SHIPPED_CSC_MODEL },
    phases: { type: 'string', default: PHASES.join(',') },
    order: { type: 'string', default: '3' },
    'min-counts': { type: 'string', default: '1,2,3' },
    'min-char-count': { type: 'string', default: '3' },
    'max-chars-per-file': { type: 'string', default: '6000000' },
    file: { type: 'string', default: 'lm.bin' },
    lm: { type: 'string' },
    'max-fpr': { type: 'string', default: '0.04' },
    'max-candidates': { type: 'string', default: '10' },
    'export-to': { type: 'string' },
  },
});
if (values.out === undefined) throw new ConfigError('--out DIR is required');
const out = values.out;
const phases = values.phases.split(',');
const unknown = phases.filter((p) => !PHASES.includes(p));
if (unknown.length > 0) throw new ConfigError(`--phases: unknown ${unknown.join(', ')}; valid: ${PHASES.join(', ')}`);
const minCounts = values['min-counts'].split(',').map(Number);
if (minCounts.some((c) => !Number.isInteger(c) || c < 1))
  throw new ConfigError(`--min-counts must be positive integers, got '${values['min-counts']}'`);

if (values['export-to'] !== undefined && !phases.includes('tune'))
  throw new ConfigError('--export-to needs the tune phase: the rules it writes are chosen there');
if (phases.includes('corpus')) await prepareLmCorpus(values.data, out);
if (phases.includes('build'))
  buildLm({
    out,
    data: values.data,
    order: numberFlag(values, 'order'),
    minCounts,
    minCharCount: numberFlag(values, 'min-char-count'),
    maxCharsPerFile: numberFlag(values, 'max-chars-per-file'),
    file: values.file,
  });

const evalOptions: LmEvalOptions = {
  out,
  data: values.data,
  model: values.model,
  lm: values.lm ?? join(out, values.file),
  maxFpr: numberFlag(values, 'max-fpr'),
  maxCandidates: numberFlag(values, 'max-candidates'),
};
if (phases.includes('eval') && !phases.includes('tune'))
  throw new ConfigError('--phases eval needs tune too: the rules it evaluates are chosen there');
if (phases.includes('tune')) {
  const choice = await tuneLmRules(evalOptions);
  if (phases.includes('eval')) await evaluateLmRules(evalOptions, choice);
  if (values['export-to'] !== undefined) exportLm(evalOptions, choice, values['export-to']);
}
