import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import { log } from '../../framework/log.js';
import { PRETRAIN_SETTINGS } from '../../framework/pretrain/config.js';
import { CORPUS_FORMATS } from '../../framework/pretrain/corpus.js';
import type { CorpusFormat, CorpusSource, PretrainConfigInput, PretrainProbe } from '../../framework/pretrain/index.js';
import {
  helpLines,
  optionalNumberFlag,
  settingsArgOptions,
  settingsFromArgs,
  settingsHelp,
} from '../../framework/settings.js';
import type { Command } from './command.js';

const usage = `usage: fewprompt pretrain --corpus GLOB [--corpus GLOB …] --out DIR [options]
       fewprompt pretrain --config FILE.json [options]      (flags override the file)
       fewprompt pretrain --resume --out DIR               (continues DIR/checkpoint with its saved config)

Masked-LM pretraining (continued from --init, or from scratch) with resumable checkpoints.
corpus (a --config file gives corpus and decontaminate as lists of { path, format, fields, column, exclude,
weight }; weight samples a source's training documents: 0.2 keeps a fixed fifth, 3 repeats each three times):
${helpLines([
  {
    head: '--corpus GLOB',
    help: 'file or glob; repeatable (format from the extension: .txt lines, .jsonl/.json, .csv, .tsv)',
  },
  { head: '--corpus-format F', help: `force one format for every --corpus: ${CORPUS_FORMATS.join(', ')}` },
  {
    head: '--field A,B',
    help: 'JSONL text fields (default: text, sentence, sentence1, sentence2, content, abst, context, review, title)',
  },
  { head: '--column NAME|INDEX', help: 'CSV/TSV text column (default: review/text/content/… for CSV, 0 for TSV)' },
  { head: '--exclude GLOB', help: "leave matching files out; repeatable (e.g. '**/test*.json')" },
  {
    head: '--decontaminate GLOB',
    help:
      'never train on a document equal to a text of these files (JSONL/CSV/…, the --field list); repeatable ' +
      "(e.g. '../shared/fewclue/*/test*.json': FewCLUE's unlabeled files repeat test texts)",
  },
])}
settings (each is also the --config JSON key named after it; framework/pretrain/config.ts declares them):
${helpLines(settingsHelp(PRETRAIN_SETTINGS, { keys: true }))}
this invocation (not stored in the config):
${helpLines([
  { head: '--config FILE.json', help: 'corpus and settings from a JSON file (keys as above); flags override it' },
  { head: '--resume', help: 'continue from DIR/checkpoint; reproduces the uninterrupted run' },
  {
    head: '--resume-force',
    help: "continue even where the run's settings differ from the checkpoint's (named in the refusal)",
  },
  {
    head: '--probe TASKS',
    help:
      "at every evaluation, also zero-shot PET on these FewCLUE tasks' dev_few_all (≤ 240 each; e.g. " +
      'eprstmt,bustm,csl,tnews): accuracy, share of the top answer and batch-calibrated accuracy, logged as probe_*',
  },
  { head: '--probe-data-dir DIR', help: 'FewCLUE data for --probe (default FEWCLUE_DIR; eprstmt is bundled)' },
  { head: '--no-progress', help: 'no progress bar' },
  {
    head: '--workers N',
    help: "the old name of --data-parallel (accepted with a warning: fewclue's --workers are processes)",
  },
])}`;

// Not in PRETRAIN_SETTINGS: the corpus flags build every `corpus`/`decontaminate` entry at once (one flag sets a field
// of each), `--workers` is a deprecated second flag of the `workers` setting (a setting has one), and the rest steer
// this invocation (which file, resume, probes, the bar) and are not stored in the config.
const COMMAND_FLAGS = {
  config: { type: 'string' },
  corpus: { type: 'string', multiple: true },
  decontaminate: { type: 'string', multiple: true },
  'corpus-format': { type: 'string' },
  field: { type: 'string' },
  column: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  workers: { type: 'string' }, // the old spelling of --data-parallel
  'no-progress': { type: 'boolean' },
  resume: { type: 'boolean' },
  'resume-force': { type: 'boolean' },
  probe: { type: 'string' },
  'probe-data-dir': { type: 'string' },
} as const;

const OPTIONS = { ...settingsArgOptions(PRETRAIN_SETTINGS), ...COMMAND_FLAGS };

/** `--workers N`, the old name of `--data-parallel`, with a one-line warning (fewclue's workers are processes). */
function deprecatedWorkersFlag(v: Readonly<Record<string, unknown>>): number | undefined {
  if (v['workers'] === undefined) return undefined;
  if (v['data-parallel'] !== undefined) throw new ConfigError('give --data-parallel only (--workers is its old name)');
  log.warn('pretrain: --workers is deprecated, use --data-parallel (the same: model replicas on worker threads)');
  return optionalNumberFlag(v, 'workers');
}

function readConfigFile(path: string): PretrainConfigInput {
  try {
    const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new ConfigError(`${path}: expected a JSON object`);
    return json as PretrainConfigInput;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`--config ${path}: ${(error as Error).message}`);
  }
}

/**
 * Flags → partial config (only what was given, so a config file's values survive).
 * @example pretrainInputFromFlags(['--data-parallel', '2', '--lr', '1e-4']); // → { lr: 0.0001, workers: 2 }
 */
export function pretrainInputFromFlags(args: string[]): PretrainConfigInput {
  return fromFlags(parse(args).values);
}

function fromFlags(v: ReturnType<typeof parse>['values']): PretrainConfigInput {
  const out: PretrainConfigInput = settingsFromArgs(PRETRAIN_SETTINGS, v);
  const workers = deprecatedWorkersFlag(v);
  if (workers !== undefined) out.workers = workers;
  if (v['corpus-format'] !== undefined && !(CORPUS_FORMATS as readonly string[]).includes(v['corpus-format'])) {
    throw new ConfigError(
      `--corpus-format '${v['corpus-format']}' unknown; expected one of ${CORPUS_FORMATS.join(', ')}`,
    );
  }
  const fields = v.field
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (v.corpus) {
    const column = v.column === undefined ? undefined : /^\d+$/.test(v.column) ? Number(v.column) : v.column;
    out.corpus = v.corpus.map(
      (path): CorpusSource => ({
        path,
        format: v['corpus-format'] as CorpusFormat | undefined,
        fields,
        column,
        exclude: v.exclude,
      }),
    );
  }
  if (v.decontaminate) out.decontaminate = v.decontaminate.map((path): CorpusSource => ({ path, fields }));
  return out;
}

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: false, options: OPTIONS });
}

/**
 * `--probe TASKS`: zero-shot PET on these FewCLUE tasks at every evaluation, their dev data read now (from `dataDir`,
 * `--probe-data-dir`, or FEWCLUE_DIR), so a missing folder fails before training starts.
 * @example await probeFromFlag('eprstmt', undefined); // → a PretrainProbe over the bundled EPRSTMT's dev_few_all
 */
export async function probeFromFlag(tasks: string, dataDir: string | undefined): Promise<PretrainProbe> {
  const { getTask, TASK_KINDS } = await import('../../datasets/index.js');
  const { zeroShotProbe } = await import('../zero-shot-probe.js');
  return zeroShotProbe(
    tasks
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .map((kind) => {
        if (!(TASK_KINDS as readonly string[]).includes(kind))
          throw new ConfigError(`--probe: unknown task '${kind}'; valid: ${TASK_KINDS.join(', ')}`);
        const flag = { dataDirFlag: '--probe-data-dir' }; // its "not found" messages name pretrain's flag
        return getTask(kind as (typeof TASK_KINDS)[number], dataDir === undefined ? flag : { ...flag, dataDir });
      }),
  );
}

/** `fewprompt pretrain`. */
export const pretrainCommand: Command = {
  name: 'pretrain',
  usage,
  options: OPTIONS,
  async run(args) {
    const { values } = parse(args);
    const flags = fromFlags(values);
    const file = values.config !== undefined ? readConfigFile(values.config) : {};
    let base: PretrainConfigInput = {
      ...file,
      ...flags,
      model: { ...file.model, ...flags.model },
      clean: { ...file.clean, ...flags.clean },
    };
    // Loaded here, not at the top: `pretrain --help` must not wait for tfjs.
    const { pretrain, readCheckpointState, resolvePretrainConfig } = await import('../../framework/pretrain/index.js');
    const { initBackend } = await import('../../framework/backend/select.js');
    if (values.resume) {
      const out = flags.out ?? file.out;
      if (out === undefined) throw new ConfigError(`--resume needs --out DIR (the run's output directory)\n${usage}`);
      const saved = readCheckpointState(out).state.config;
      // The saved config decides the data and the schedule; only run-time knobs may change on resume.
      base = {
        ...saved,
        out,
        maxMinutes: flags.maxMinutes,
        workers: flags.workers ?? saved.workers,
        checkpointMinutes: flags.checkpointMinutes ?? saved.checkpointMinutes,
        track: flags.track ?? saved.track,
      };
    }
    const config = resolvePretrainConfig(base, values.config ?? 'pretrain flags');
    await initBackend();
    let stop = false;
    const onSigint = (): void => {
      if (stop) process.exit(130);
      stop = true;
      process.stderr.write('\nfewprompt pretrain: interrupted; writing a checkpoint (Ctrl-C again to quit now)\n');
    };
    process.on('SIGINT', onSigint);
    try {
      const probe =
        values.probe === undefined ? undefined : await probeFromFlag(values.probe, values['probe-data-dir']);
      const result = await pretrain(config, {
        resume: values.resume ?? false,
        ...(values['resume-force'] ? { resumeForce: true } : {}),
        shouldStop: () => stop,
        progress: !values['no-progress'],
        ...(probe ? { probe } : {}),
      });
      const acc = result.heldout ? result.heldout.accuracy.toFixed(4) : '-';
      console.log(
        `${result.completed ? 'done' : 'stopped'} at step ${result.step}/${config.maxSteps}: ` +
          `${result.tokensSeen} tokens, ${Math.round(result.tokensPerSecond)} tok/s, held-out MLM acc ${acc}` +
          `${result.initialHeldout ? ` (start ${result.initialHeldout.accuracy.toFixed(4)})` : ''}` +
          (result.completed
            ? `; model in ${config.out}`
            : `; continue with: fewprompt pretrain --resume --out ${config.out}`),
      );
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
