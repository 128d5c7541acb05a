import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import type { Command } from './command.js';
import { cliOptions } from '../config/options.js';
import { TRAIN_FLAGS, configFromFlags } from './train.js';

/** Train flags the suite sets itself (per job) or that mean nothing for a suite. */
const SUITE_OWNED = new Set([
  'task',
  'method',
  'split',
  'resume',
  'resume-force',
  'keep-checkpoint',
  'no-progress',
  'save-model',
  'config',
]);

const usage = `usage: fewprompt fewclue --model DIR [--tasks eprstmt,csl,…] [--methods pet,ptuning,efl,finetune] \
[--splits 0-4] [options]

Trains and evaluates every task × method × split and writes a report under --out: test_public accuracy
per task × method (mean ± std over splits), the overall FewCLUE score, as report.md, report.json,
report.html and chart.svg. Resumable: results/<task>/<method>/<split>.json per finished job; a rerun
with the same options skips them.
  --tasks LIST          comma-separated FewCLUE tasks (default: all nine; non-bundled ones need --data-dir or \
FEWCLUE_DIR)
  --train FILE --dev FILE --text-field NAME --label-field NAME [--test FILE] [--labels SPEC]
      [--text-pair-field NAME] [--id-field NAME] [--task-name NAME]
                        instead of --tasks: your own data, as 'fewprompt train' reads it; the grid is its methods \
and variants
  --methods LIST        pet, ptuning, efl, finetune (or registered methods), each optionally METHOD+rdrop, \
METHOD+unlabeled (self-training
                        on the task's unlabeled part; needs --unlabeled N), METHOD+rdrop+unlabeled (default pet)
  --splits SPEC         0-4 | 0,2 | few_all (default 0-4)
  --rdrop ALPHA         also run every method with R-Drop (reported as METHOD+rdrop)
  --out DIR             results and report (default runs/fewclue)
  --workers N           run jobs in N local worker processes (a crashed worker's job is retried once)
  --queue redis://HOST:PORT[/DB]  put jobs on a BullMQ queue served by 'fewprompt worker --queue …'
  --queue-name NAME     queue name (default fewprompt-fewclue)
  --config FILE.json    suite options as JSON ({"tasks": […], "train": {"maxSteps": 2}, …}); flags override
  --no-track            do not log runs to MLflow
  --no-predict-test     skip each run's test.json submission predictions (test_public is still scored)
  --json                print report.json instead of the markdown table
Every 'fewprompt train' option passes through to each run (--unlabeled, --self-train-steps and
--soft-label-temperature reach +unlabeled variants only):
${cliOptions()
  .filter((o) => !SUITE_OWNED.has(o.flag))
  .map((o) => `--${o.flag}`)
  .join(' ')
  .replace(/(.{1,110})( |$)/g, '$1\n')
  .trimEnd()}`;

/** Train flags that pass through to every run. */
const PASS_THROUGH = Object.fromEntries(
  Object.entries(TRAIN_FLAGS).filter(([flag]) => !SUITE_OWNED.has(flag)),
) as Record<string, { type: 'string' | 'boolean' }>;

const FLAGS = {
  ...PASS_THROUGH,
  config: { type: 'string' },
  tasks: { type: 'string' },
  methods: { type: 'string' },
  splits: { type: 'string' },
  workers: { type: 'string' },
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function parseFlags(args: string[]) {
  return parseArgs({ args, options: FLAGS, strict: true });
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

function readConfigFile(path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('expected a JSON object');
    return { ...parsed };
  } catch (error) {
    throw new ConfigError(`--config ${path}: ${(error as Error).message}`);
  }
}

/**
 * Flags → suite options input (validated by `parseSuiteOptions`, whose errors name the field).
 * @example suiteInputFromFlags({ tasks: 'eprstmt', 'max-steps': '2' });
 * // → { out: 'runs/fewclue', tasks: ['eprstmt'], train: { maxSteps: 2 } }
 */
export function suiteInputFromFlags(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const input: Record<string, unknown> = {
    out: 'runs/fewclue',
    ...(typeof values['config'] === 'string' ? readConfigFile(values['config']) : {}),
  };
  const { config: _config, ...trainValues } = values;
  const { rdropAlpha, task, ...train } = configFromFlags(trainValues);
  // Your own data (--train … --dev …): a grid over methods and variants of that one task.
  if (train['customTask'] !== undefined) {
    input['tasks'] = [task];
    input['splits'] = '0';
  }
  const fileTrain = input['train'];
  input['train'] = { ...(fileTrain !== null && typeof fileTrain === 'object' ? fileTrain : {}), ...train };
  if (rdropAlpha !== undefined) input['rdrop'] = rdropAlpha;
  if (typeof values['tasks'] === 'string') input['tasks'] = list(values['tasks']);
  if (typeof values['methods'] === 'string') input['methods'] = list(values['methods']);
  if (typeof values['splits'] === 'string') input['splits'] = values['splits'];
  if (typeof values['out'] === 'string') input['out'] = values['out'];
  if (typeof values['queue'] === 'string') input['queue'] = values['queue'];
  if (typeof values['queue-name'] === 'string') input['queueName'] = values['queue-name'];
  if (values['no-track'] === true) input['track'] = false;
  if (typeof values['workers'] === 'string') {
    const n = Number(values['workers']);
    if (!Number.isFinite(n)) throw new ConfigError(`--workers must be a number, got '${values['workers']}'`);
    input['workers'] = n;
  }
  return input;
}

/** `fewprompt fewclue`: the FewCLUE suite (tasks × methods × splits) and its report. */
export const fewclueCommand: Command = {
  name: 'fewclue',
  usage,
  options: FLAGS,
  async run(args) {
    const { values } = parseFlags(args);
    // Loaded here: `fewclue --help` must not wait for the suite (tfjs, arktype, BullMQ).
    const { parseSuiteOptions, runSuite } = await import('../suite/suite.js');
    const { renderMarkdown } = await import('../suite/report.js');
    const options = parseSuiteOptions(
      suiteInputFromFlags(values),
      typeof values.config === 'string' ? values.config : 'flags',
    );
    const outcome = await runSuite(options);
    if (values.json) console.log(JSON.stringify(outcome.report, null, 2));
    else console.log(renderMarkdown(outcome.report));
    console.error(
      `fewclue: ${outcome.ran.length} run, ${outcome.skipped.length} resumed, ${outcome.failed.length} failed; ` +
        `report: ${outcome.files.markdown}, ${outcome.files.html}`,
    );
    return outcome.failed.length > 0 || outcome.report.missing.length > 0 ? 1 : 0;
  },
};
