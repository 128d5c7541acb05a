import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import { NullTracker, createTracker } from '../../framework/tracking/index.js';
import { parseExperimentConfig } from '../config/experiment.js';
import { variantName } from '../suite/jobs.js';
import type { Command } from './command.js';
import { optionalNumberFlag } from './flags.js';

const usage = `usage: fewprompt train [--config FILE.json] [--task eprstmt] [--method pet|ptuning|efl|finetune] [options]

Trains one task × method × split, picks the best checkpoint on dev, and prints test_public accuracy.
With no options: PET on the bundled EPRSTMT with the shipped default model.
  --model DIR|ORG/NAME   model (default: shipped fewprompt-zh-mini)
  --split 0..4|few_all   FewCLUE split (default 0)      --data-dir DIR  FewCLUE root (or FEWCLUE_DIR)
  --epochs N  --max-steps N  --batch-size N  --lr X  --prompt-lr X  --rdrop ALPHA  --seed N
  --max-seq-len N  --eval-every N  --early-stopping N  --template T  --negative-num N  --max-test-examples N
  --grad-accum N         micro-batches per optimiser step (the same flag as pretrain's)
  --unlabeled N          self-training (PET's semi-supervised stage): the trained model soft-labels N examples of
                         the task's unlabeled part, then a new model trains on labelled + pseudo-labelled examples
  --self-train-steps N   steps of that stage (default 200)   --soft-label-temperature T  (default 2)
  --out DIR              write config, metrics, predictions, submission file (and --save-model: the model)
  --resume               continue from DIR/checkpoint after an interruption (refused, naming the fields, if the
                         checkpoint was written by other settings, data or model)
  --resume-force         resume even so (an intentional change of settings)
  --keep-checkpoint      keep DIR/checkpoint after the run finished (default: removed; export needs only DIR/model)
  --no-predict-test      skip predicting test.json for the submission file (with --out)
  --eval-engine E        tfjs (default) or onnx: score test_public/test.json on ONNX Runtime through the exported
                         model (5-8× faster on CPU; checked against tfjs's dev accuracy, tfjs if they differ)
  --no-track             do not log to MLflow (default: MLFLOW_TRACKING_URI or ./mlruns)
  --no-progress          no progress bar (logs and CI)
  --json                 print the result as JSON`;

const NUMERIC: Record<string, string> = {
  epochs: 'epochs',
  'max-steps': 'maxSteps',
  'batch-size': 'batchSize',
  lr: 'lr',
  'prompt-lr': 'promptLr',
  rdrop: 'rdropAlpha',
  seed: 'seed',
  'max-seq-len': 'maxSeqLen',
  'eval-every': 'evalEvery',
  'early-stopping': 'earlyStoppingPatience',
  'negative-num': 'negativeNum',
  'max-test-examples': 'maxTestExamples',
  'grad-accum': 'gradientAccumulation',
  unlabeled: 'unlabeled',
  'self-train-steps': 'selfTrainSteps',
  'soft-label-temperature': 'softLabelTemperature',
};

/** Flags → experiment config fields (numbers parsed; arktype validates the rest). */
export function configFromFlags(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  let config: Record<string, unknown> = {};
  if (typeof values['config'] === 'string') {
    try {
      config = JSON.parse(readFileSync(values['config'], 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`--config ${values['config']}: ${(error as Error).message}`);
    }
  }
  for (const key of ['task', 'method', 'model', 'split', 'template'] as const)
    if (typeof values[key] === 'string') config[key] = values[key];
  if (typeof values['data-dir'] === 'string') config['dataDir'] = values['data-dir'];
  for (const [flag, field] of Object.entries(NUMERIC)) {
    const n = optionalNumberFlag(values, flag);
    if (n !== undefined) config[field] = n;
  }
  if (values['no-predict-test'] === true) config['predictTest'] = false;
  if (typeof values['eval-engine'] === 'string') config['evalEngine'] = values['eval-engine'];
  return config;
}

export const TRAIN_FLAGS = {
  config: { type: 'string' },
  task: { type: 'string' },
  method: { type: 'string' },
  model: { type: 'string' },
  split: { type: 'string' },
  'data-dir': { type: 'string' },
  template: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  'resume-force': { type: 'boolean' },
  'keep-checkpoint': { type: 'boolean' },
  'save-model': { type: 'boolean' },
  'no-track': { type: 'boolean' },
  'no-predict-test': { type: 'boolean' },
  'eval-engine': { type: 'string' },
  json: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: 'string' }])),
} as const;

/** `fewprompt train`: the main job. */
export const trainCommand: Command = {
  name: 'train',
  usage,
  async run(args) {
    const { values } = parseArgs({ args, options: TRAIN_FLAGS, strict: true });
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
          `${result.task} ${variant} split ${result.split}: dev accuracy ${(100 * result.devAccuracy).toFixed(2)}, test_public accuracy ${(100 * result.testAccuracy).toFixed(2)} (${result.testExamples} examples, ${result.trainSeconds.toFixed(0)} s training)` +
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
