import { readFileSync } from 'node:fs';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import { helpLines } from '../../framework/settings.js';
import { cliOptions, optionHelp } from '../config/options.js';
import { customTaskFromFlags, TASK_FILE_FLAGS, TASK_FILE_HELP } from './task-files.js';
import { variantName } from '../variant.js';
import type { Command } from './command.js';
import { optionalNumberFlag } from './flags.js';

const usage = `usage: fewprompt train [--config FILE.json] [--task eprstmt] [--method KIND] [options]

Trains one task × method × split, picks the best checkpoint on dev, and prints test_public accuracy.
With no options: PET on the bundled EPRSTMT with the shipped default model.
${helpLines([
  { head: '--config FILE.json', help: 'experiment config (every option below by its field name); flags override it' },
  { head: '--task NAME', help: 'FewCLUE task (default eprstmt)' },
])}
Your own data (CSV, TSV or JSONL; instead of --task):
${helpLines(TASK_FILE_HELP)}
Options:
${optionHelp()}
${helpLines([
  { head: '--out DIR', help: 'write config, metrics, predictions, submission file (and --save-model: the model)' },
  { head: '--save-model', help: 'also write the trained model and method.json under --out (what export reads)' },
  {
    head: '--resume',
    help:
      'continue from DIR/checkpoint after an interruption (refused, naming the fields, if the checkpoint was ' +
      'written by other settings, data or model)',
  },
  { head: '--resume-force', help: 'resume even so (an intentional change of settings)' },
  { head: '--keep-checkpoint', help: 'keep DIR/checkpoint after the run finished (default: removed)' },
  { head: '--no-track', help: 'do not log to MLflow (default: MLFLOW_TRACKING_URI or ./mlruns)' },
  { head: '--no-progress', help: 'no progress bar (logs and CI)' },
  { head: '--json', help: 'print the result as JSON' },
])}`;

/** Flags → experiment config fields (numbers and JSON parsed; arktype validates the rest). */
export function configFromFlags(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  let config: Record<string, unknown> = {};
  if (typeof values['config'] === 'string') {
    try {
      config = JSON.parse(readFileSync(values['config'], 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`--config ${values['config']}: ${(error as Error).message}`);
    }
  }
  if (typeof values['task'] === 'string') config['task'] = values['task'];
  const custom = customTaskFromFlags(values);
  if (custom) Object.assign(config, { task: custom.getConfig().name, customTask: custom.getConfig() });
  for (const o of cliOptions()) {
    const value = values[o.flag];
    if (value === undefined) continue;
    if (o.kind === 'negated-switch') config[o.field] = false;
    else if (o.kind === 'number') config[o.field] = optionalNumberFlag(values, o.flag);
    else if (o.kind === 'json') config[o.field] = jsonFlag(o.flag, String(value));
    else config[o.field] = value;
  }
  return config;
}

function jsonFlag(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--${flag} must be JSON: ${(error as Error).message}`);
  }
}

export const TRAIN_FLAGS = {
  config: { type: 'string' },
  task: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  'resume-force': { type: 'boolean' },
  'keep-checkpoint': { type: 'boolean' },
  'save-model': { type: 'boolean' },
  'no-track': { type: 'boolean' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  ...TASK_FILE_FLAGS,
  ...Object.fromEntries(
    cliOptions().map((o) => [o.flag, { type: o.kind === 'negated-switch' ? 'boolean' : 'string' }] as const),
  ),
} as const satisfies ParseArgsOptionsConfig;

/** `fewprompt train`: the main job. */
export const trainCommand: Command = {
  name: 'train',
  usage,
  options: TRAIN_FLAGS,
  async run(args) {
    const { values } = parseArgs({ args, options: TRAIN_FLAGS, strict: true });
    // Loaded here, not at the top: `train --help` must not wait for arktype, tracking or the training code.
    const { parseExperimentConfig } = await import('../config/experiment.js');
    const { NullTracker, createTracker } = await import('../../framework/tracking/index.js');
    const config = parseExperimentConfig(
      { task: 'eprstmt', ...configFromFlags(values) },
      typeof values.config === 'string' ? values.config : 'flags',
    );
    const tracker = values['no-track'] ? new NullTracker() : createTracker();
    const run = await tracker.startRun({
      experimentName: `fewclue-${config.task}`,
      runName: `${config.task}-${config.method}-${config.split}`,
    });
    try {
      // Loaded here: tfjs, the methods and the backends are what `train --help` must not wait for.
      const { runExperiment } = await import('../run-experiment.js');
      const result = await runExperiment(config, {
        out: values.out,
        resume: values.resume || values['resume-force'],
        resumeForce: values['resume-force'],
        keepCheckpoint: values['keep-checkpoint'],
        saveModel: values['save-model'] ?? values.out !== undefined,
        run,
        ...(values['no-progress'] ? { progress: false } : {}),
      });
      await run.end('FINISHED');
      if (values.json) console.log(JSON.stringify({ ...result, history: undefined }));
      else {
        const variant = variantName({
          method: config.method,
          rdrop: config.rdropAlpha > 0,
          unlabeled: result.selfTraining !== undefined,
        });
        const teacher = result.selfTraining?.teacher.testAccuracy;
        console.log(
          `${result.task} ${variant} split ${result.split}: dev accuracy ${(100 * result.devAccuracy).toFixed(2)}, ` +
            `test_public accuracy ${(100 * result.testAccuracy).toFixed(2)} ` +
            `(${result.testExamples} examples, ${result.trainSeconds.toFixed(0)} s training)` +
            (teacher === undefined ? '' : `; before self-training ${(100 * teacher).toFixed(2)}`),
        );
      }
      return 0;
    } catch (error) {
      await run.end('FAILED');
      throw error;
    }
  },
};
