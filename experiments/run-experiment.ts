import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../framework/backend/select.js';
import { ConfigError } from '../framework/errors.js';
import { log } from '../framework/log.js';
import { modelOrDefault } from '../framework/model/default.js';
import { loadPretrained } from '../framework/model/pretrained.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';
import type { HostTensor } from '../framework/checkpoint/host-tensor.js';
import type { Run } from '../framework/tracking/base.js';
import { evaluate } from '../framework/trainer/evaluate.js';
import { sampleFixed } from '../framework/random.js';
import { Trainer, type FitResult, type TrainerOptions } from '../framework/trainer/trainer.js';
import { getTask, TASK_KINDS, type FewClueKind } from '../datasets/index.js';
import { CustomTask, type CustomTaskConfig } from '../datasets/custom-task.js';
import type { Example, TaskDefinition } from '../datasets/base.js';
import type { ExperimentConfig } from './config/experiment.js';
import { splitForRowBudget, TRAIN_TOKEN_BUDGET, type Method, type MethodBatch } from './methods/base.js';
import { getMethod } from './methods/registry.js';
import type { MethodDefinition } from './methods/definition.js';
import { OnnxEngine, type EvalEngine, type OnnxScorer } from './onnx-scoring.js';
import {
  DEFAULT_SELF_TRAIN_STEPS,
  DEFAULT_SOFT_LABEL_TEMPERATURE,
  SoftTargetObjective,
  softLabels,
  summarizePseudoLabels,
  unlabeledPool,
  type PseudoLabelSummary,
} from './self-training.js';
import { resolvedPrompt, writeRunOutputs, writeTrainedRun } from './run-files.js';
import { variantName } from './variant.js';

/** What one run produced. */
export interface ExperimentResult {
  task: string;
  method: string;
  split: string;
  devAccuracy: number;
  testAccuracy: number;
  testExamples: number;
  bestStep: number;
  steps: number;
  trainSeconds: number;
  /** Where test_public was scored ('onnx' only when asked for, supported and matching tfjs on dev). */
  evalEngine?: EvalEngine;
  /** Seconds spent scoring test_public. */
  testSeconds?: number;
  history: { step: number; loss?: number; lr?: number; dev?: number }[];
  /**
   * With `unlabeled`: the first model (the teacher that pseudo-labelled) and its labels; the fields above
   * (dev, best step, steps, history, test) are then the self-trained model's.
   */
  selfTraining?: {
    teacher: { devAccuracy: number; bestStep: number; steps: number; testAccuracy?: number };
    pseudoLabels: PseudoLabelSummary;
    seconds: number;
  };
}

export interface RunOptions {
  /** Directory for config, metrics, predictions and (with `saveModel`) the trained model. */
  out?: string;
  saveModel?: boolean;
  /** Checkpoint under `out/checkpoint` and continue from it (`--resume`). */
  resume?: boolean;
  /** Resume even if the checkpoint was written by other settings (`--resume-force`). */
  resumeForce?: boolean;
  /** Keep `out/checkpoint` after the run finished (default: removed; `--keep-checkpoint`). */
  keepCheckpoint?: boolean;
  run?: Run;
  progress?: boolean;
  /** Trainer checkpoints at evaluations at most this often (seconds); default every evaluation. */
  checkpointMinSeconds?: number;
  /**
   * false: a dev-only run (template or hyperparameter selection) that never loads or scores test_public —
   * `testAccuracy` is NaN and `testExamples` 0. Default true.
   */
  scoreTest?: boolean;
}

function isFewClueKind(kind: string): kind is FewClueKind {
  return (TASK_KINDS as readonly string[]).includes(kind);
}

/**
 * The task of a config: its `customTask` (the user's files), else a FewCLUE kind (data from `dataDir`, `FEWCLUE_DIR`
 * or the bundled EPRSTMT).
 */
export function taskFor(config: Pick<ExperimentConfig, 'task' | 'dataDir' | 'customTask'>): TaskDefinition {
  if (config.customTask !== undefined) return CustomTask.fromConfig(config.customTask as CustomTaskConfig);
  if (!isFewClueKind(config.task))
    throw new ConfigError(`unknown task '${config.task}'; valid: ${TASK_KINDS.join(', ')}`);
  return getTask(config.task, config.dataDir === undefined ? {} : { dataDir: config.dataDir });
}

/** Seed of the test_public sample: one fixed subset for every method, split and run, so results pair up. */
export const TEST_SAMPLE_SEED = 20261205;

/**
 * At most `max` examples drawn with {@link TEST_SAMPLE_SEED} (kept in file order), or all of them. Not the first
 * `max`: FewCLUE's test_public files are grouped by label (TNEWS's first 600 hold 5 of its 15 labels, IFLYTEK's
 * 23 of 98), so a prefix is a biased test set.
 * @example
 * sampleTestExamples(task.load('test_public'), 600).length; // → 600, every label in proportion (in expectation)
 */
export function sampleTestExamples<T>(examples: readonly T[], max: number | undefined): T[] {
  return sampleFixed(examples, max, TEST_SAMPLE_SEED);
}

/**
 * Trains one task × method × split and scores `test_public`: dev selects the checkpoint, test never
 * selects anything. Writes config, metrics, history and predictions (and FewCLUE's submission file for
 * `test.json`) under `out`.
 * @example
 * const r = await runExperiment(parseExperimentConfig({ task: 'eprstmt', method: 'pet' }));
 * r.testAccuracy; // → 0.81
 */
export async function runExperiment(config: ExperimentConfig, options: RunOptions = {}): Promise<ExperimentResult> {
  const definition = getMethod(config.method); // an unknown method fails before any loading
  await initBackend();
  const task = taskFor(config);
  const train = task.load('train', { split: config.split });
  const dev = task.load('dev', { split: config.split });
  const scoreTest = (options.scoreTest ?? true) && task.hasPart('test_public');
  const testPublic = scoreTest ? sampleTestExamples(task.load('test_public'), config.maxTestExamples) : [];
  const { model, dir, tokenizer, method } = await createMethodFor(config, definition, task);
  const selfTrain = (config.unlabeled ?? 0) > 0;
  const pool = selfTrain ? selfTrainingPool(config, task, method) : [];
  const variant = variantName({ method: config.method, rdrop: config.rdropAlpha > 0, unlabeled: selfTrain });
  const label = `${task.kind}/${variant}/${config.split}`;
  await logRunParams(options.run, config, task);
  const t0 = Date.now();
  let onnx: OnnxScorer | undefined;
  const engine = new OnnxEngine({ model, tokenizer, method, config, task }, dev, label);
  const trainerOptions = trainerOptionsFor({ config, options, method, train, label, engine, identityDir: dir });
  const pretrained = selfTrain ? method.snapshot() : undefined;
  try {
    let fit: FitResult = await new Trainer(method, trainerOptions).fit(train, dev);
    let selfTraining: ExperimentResult['selfTraining'];
    if (pretrained) {
      const stage = { method, engine, config, label, pool, pretrained, teacher: fit, train, dev, testPublic };
      ({ fit, selfTraining } = await selfTrainStage({ ...stage, trainerOptions, out: options.out }));
    }
    const trainSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    onnx = scoreTest ? await engine.scorer() : undefined;
    const score = (examples: Example[]) =>
      onnx ? onnx.evaluate(examples) : Promise.resolve(evaluate(method, examples, config.evalBatchSize));
    const test = scoreTest ? await score(testPublic) : { accuracy: Number.NaN, predictions: [] };
    const result: ExperimentResult = {
      task: task.kind,
      method: config.method,
      split: config.split,
      devAccuracy: fit.bestDev,
      testAccuracy: test.accuracy,
      testExamples: testPublic.length,
      bestStep: fit.bestStep,
      steps: fit.steps,
      trainSeconds,
      history: fit.history,
      ...(scoreTest ? ({ evalEngine: onnx ? 'onnx' : 'tfjs', testSeconds: (Date.now() - t1) / 1000 } as const) : {}),
      ...(selfTraining ? { selfTraining } : {}),
    };
    await options.run?.logMetrics(
      { dev_accuracy_best: fit.bestDev, ...(scoreTest ? { test_public_accuracy: test.accuracy } : {}) },
      fit.steps,
    );
    const testLine = scoreTest
      ? `test_public ${test.accuracy.toFixed(4)} on ${testPublic.length} examples`
      : 'test_public not scored';
    log.info(
      `${label}: dev ${fit.bestDev.toFixed(4)} (step ${fit.bestStep}), ${testLine}, ${trainSeconds.toFixed(0)} s`,
    );
    if (options.out) {
      await writeRunOutputs(options.out, {
        config,
        task,
        label,
        result,
        testPublic,
        test,
        method,
        score,
        run: options.run,
      });
      if (options.saveModel) await writeTrainedRun(options.out, { model, tokenizer, method, config, task });
      // A finished run needs its checkpoint no more (135 MB for the shipped model); export reads model/ and method.*.
      if (!options.keepCheckpoint) {
        for (const d of ['checkpoint', 'checkpoint-self-train'])
          rmSync(join(options.out, d), { recursive: true, force: true });
      }
    }
    return result;
  } finally {
    await onnx?.release();
    method.dispose();
    model.dispose();
  }
}

/** The model (the pooler when the checkpoint has one, the MLM head when the method scores with it) and the method. */
async function createMethodFor(config: ExperimentConfig, definition: MethodDefinition, task: TaskDefinition) {
  const parts = { mlmHead: definition.usesMlmHead };
  const { model, dir } = await loadPretrained(modelOrDefault(config.model), { parts });
  const tokenizer = await BertTokenizer.fromPretrained(dir);
  const method = definition.create(
    { ...methodSetupOf(config), model, tokenizer, task, maxSeqLen: fittedMaxSeqLen(config, model.config) },
    {
      template: config.template,
      labelWords: config.labelWords,
      descriptions: config.descriptions,
      negativeNum: config.negativeNum,
    },
  );
  return { model, dir, tokenizer, method };
}

/** The unlabeled examples self-training soft-labels (none that are also test texts). */
function selfTrainingPool(config: ExperimentConfig, task: TaskDefinition, method: Method<MethodBatch>): Example[] {
  if (!method.supportsSoftTargets)
    throw new ConfigError(
      `unlabeled: self-training needs a method that scores each example once per label; ${config.method} does not`,
    );
  const { pool, removed } = unlabeledPool(task, config.unlabeled!, config.seed);
  if (removed > 0)
    log.info(
      `${task.kind}: ${removed} unlabeled examples left out of self-training: ` +
        'their texts are also test_public / test texts',
    );
  return pool;
}

/** The method setup fields a config decides. */
function methodSetupOf(config: ExperimentConfig) {
  const { lr, promptLr, weightDecay, rdropAlpha, seed } = config;
  return { lr, promptLr, weightDecay, rdropAlpha, seed };
}

/** As Hugging Face truncates to model_max_length: a model with fewer positions than maxSeqLen gets shorter inputs. */
function fittedMaxSeqLen(config: ExperimentConfig, model: { maxPositionEmbeddings: number; positionOffset: number }) {
  const positions = model.maxPositionEmbeddings - model.positionOffset;
  const maxSeqLen = Math.min(config.maxSeqLen, positions);
  if (maxSeqLen < config.maxSeqLen)
    log.warn(
      `maxSeqLen ${config.maxSeqLen} is more than the model's ${positions} positions; ` +
        `inputs are truncated to ${maxSeqLen}`,
    );
  return maxSeqLen;
}

/** The config as MLflow params, with the prompt as used (defaults filled in) so runs' prompts compare in the UI. */
async function logRunParams(run: Run | undefined, config: ExperimentConfig, task: TaskDefinition): Promise<void> {
  const prompt = resolvedPrompt(config, task);
  await run?.logParams({
    ...config,
    model: modelOrDefault(config.model),
    template: prompt.template,
    labelWords: prompt.labelWords ? JSON.stringify(prompt.labelWords) : undefined,
    descriptions: prompt.descriptions ? JSON.stringify(prompt.descriptions) : undefined,
    // MLflow caps a param at 6,000 characters; the task's files, fields and labels fit.
    customTask: config.customTask ? JSON.stringify(config.customTask).slice(0, 6000) : undefined,
  });
}

/** The trainer's options for a run: batch layout within the token budget, dev scoring, checkpoints, resume identity. */
function trainerOptionsFor(r: {
  config: ExperimentConfig;
  options: RunOptions;
  method: Method<MethodBatch>;
  train: Example[];
  label: string;
  engine: OnnxEngine;
  identityDir: string;
}): TrainerOptions<Example> {
  const { config, options, method, engine } = r;
  // Several encoder rows per example (EFL pairs, CHID candidates): micro-batches that fit the wasm heap.
  const rowsPerExample = r.train.reduce((most, e) => Math.max(most, method.trainingRowsPerExample(e)), 1);
  const maxSeqLen = method.setup.maxSeqLen;
  const steps = splitForRowBudget(config.batchSize, config.gradientAccumulation, rowsPerExample, maxSeqLen);
  if (steps.batchSize !== config.batchSize) {
    const micro = steps.gradientAccumulation / config.gradientAccumulation;
    log.info(
      `${method.setup.task.kind}/${config.method}: ${rowsPerExample} encoder rows per example, so each batch of ` +
        `${config.batchSize} runs as ${micro} micro-batches of ≤ ${steps.batchSize} (≤ ${TRAIN_TOKEN_BUDGET} tokens)`,
    );
  }
  return {
    ...(engine.scoresDev ? { evaluate: async (d: Example[]) => ({ score: await engine.devAccuracy(d) }) } : {}),
    epochs: config.epochs,
    maxSteps: config.maxSteps,
    batchSize: steps.batchSize,
    gradientAccumulation: steps.gradientAccumulation,
    evalEvery: config.evalEvery,
    earlyStoppingPatience: config.earlyStoppingPatience,
    seed: config.seed,
    warmupRatio: config.warmupRatio,
    weightDecay: config.weightDecay,
    label: r.label,
    progress: options.progress,
    run: options.run,
    checkpointDir: options.out ? join(options.out, 'checkpoint') : undefined,
    resume: options.resume,
    checkpointMinSeconds: options.checkpointMinSeconds,
    identity: resumeIdentity(config, method.setup.task, r.identityDir),
    ...(options.resumeForce ? { resumeForce: true } : {}),
  };
}

/**
 * PET's semi-supervised stage after the first fit: the teacher (the best checkpoint, now in `method`) soft-labels
 * the pool — and, for the record only, scores test_public — then the student starts again from the pretrained
 * weights and trains on the labelled plus pseudo-labelled examples, selected on dev as before.
 */
async function selfTrainStage(s: {
  method: Method<MethodBatch>;
  engine: OnnxEngine;
  config: ExperimentConfig;
  label: string;
  pool: Example[];
  pretrained: Map<string, HostTensor>;
  teacher: FitResult;
  train: Example[];
  dev: Example[];
  testPublic: Example[];
  trainerOptions: TrainerOptions<Example>;
  out: string | undefined;
}): Promise<{ fit: FitResult; selfTraining: NonNullable<ExperimentResult['selfTraining']> }> {
  const { method, config, pool } = s;
  const t = Date.now();
  const scorer = await s.engine.scorer();
  const score = (examples: Example[]) =>
    scorer ? scorer.evaluate(examples) : Promise.resolve(evaluate(method, examples, config.evalBatchSize));
  let scores: number[][];
  let teacherTest: number | undefined;
  try {
    scores = (await score(pool)).scores;
    if (s.testPublic.length > 0) teacherTest = (await score(s.testPublic)).accuracy;
  } finally {
    await scorer?.release();
  }
  const soft = softLabels(scores, config.softLabelTemperature ?? DEFAULT_SOFT_LABEL_TEMPERATURE);
  const pseudoLabels = summarizePseudoLabels(soft);
  log.info(
    `${s.label}: teacher dev ${s.teacher.bestDev.toFixed(4)}; ${pool.length} unlabeled examples pseudo-labelled, ` +
      `label shares ${pseudoLabels.labelShare.map((x) => x.toFixed(2)).join('/')}, ` +
      `mean confidence ${pseudoLabels.meanConfidence.toFixed(3)}`,
  );
  method.restore(s.pretrained);
  const objective = new SoftTargetObjective(method, new Map(pool.map((e, i) => [e, soft[i]!])), scores[0]?.length ?? 0);
  const fit = await new Trainer(objective, {
    ...s.trainerOptions,
    epochs: undefined,
    maxSteps: config.selfTrainSteps ?? DEFAULT_SELF_TRAIN_STEPS,
    // Dev as often as the labelled-only stage sees it (an epoch of the few-shot train set), not once per epoch of
    // the pool.
    evalEvery:
      config.evalEvery ?? Math.max(1, Math.ceil(s.train.length / (config.batchSize * config.gradientAccumulation))),
    checkpointDir: s.out ? join(s.out, 'checkpoint-self-train') : undefined,
  }).fit([...s.train, ...pool], s.dev);
  const teacher = {
    devAccuracy: s.teacher.bestDev,
    bestStep: s.teacher.bestStep,
    steps: s.teacher.steps,
    ...(teacherTest === undefined ? {} : { testAccuracy: teacherTest }),
  };
  return { fit, selfTraining: { teacher, pseudoLabels, seconds: (Date.now() - t) / 1000 } };
}

/**
 * What a resumed run must share with the checkpoint beyond the trainer's options: the experiment config as resolved
 * (default template, label words and descriptions filled in, the model by name and by a digest of its weights file),
 * without the settings that only affect scoring or where data is read from.
 */
function resumeIdentity(config: ExperimentConfig, task: TaskDefinition, modelDir: string): Record<string, unknown> {
  const {
    dataDir: _dataDir,
    evalBatchSize: _evalBatchSize,
    maxTestExamples: _maxTest,
    predictTest: _predictTest,
    ...rest
  } = config;
  return {
    ...rest,
    ...resolvedPrompt(config, task),
    model: modelOrDefault(config.model),
    modelWeights: weightsDigest(modelDir),
  };
}

/** A digest of a model directory's weights file (size and a hash of its first and last MiB: fast for 400 MB files). */
function weightsDigest(dir: string): string {
  const file = ['model.safetensors', 'pytorch_model.bin'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) return 'none';
  const size = statSync(file).size;
  const hash = createHash('sha1').update(String(size));
  const fd = openSync(file, 'r');
  try {
    for (const at of [0, Math.max(0, size - (1 << 20))]) {
      const buf = Buffer.alloc(Math.min(1 << 20, size));
      readSync(fd, buf, 0, buf.length, at);
      hash.update(buf);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex').slice(0, 16);
}
