import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../framework/checkpoint/safetensors.js';
import type { BertModel } from '../framework/model/bert.js';
import { savePretrained } from '../framework/model/pretrained.js';
import type { BertTokenizer } from '../framework/tokenizer/index.js';
import type { Example, TaskDefinition } from '../datasets/base.js';
import { submissionFileName, toSubmission } from '../datasets/submission.js';
import type { Run } from '../framework/tracking/base.js';
import { renderRunReport } from './report/run-report.js';
import type { ExperimentResult } from './run-experiment.js';
import { loadIfPresent } from './self-training.js';
import type { ExperimentConfig } from './config/experiment.js';
import type { MethodSpec } from '../inference/export/method-spec.js';
import type { Method, MethodBatch } from './methods/base.js';
import type { ResolvedPrompt } from './methods/definition.js';
import { getMethod } from './methods/registry.js';

/** What a trained run leaves for `fewprompt export`: the encoder, the method's own weights and how it was built. */
export interface TrainedRun {
  model: BertModel;
  tokenizer: BertTokenizer;
  method: Method<MethodBatch>;
  config: ExperimentConfig;
  task: TaskDefinition;
}

/**
 * Writes `dir/model/` (HF layout + tokenizer), `dir/method.safetensors` (the method's parameters, when it has
 * any) and `dir/method.json` — the run directory layout `readRunSpec` / `fewprompt export` read.
 * @example
 * await writeTrainedRun('runs/pet', { model, tokenizer, method, config, task });
 */
export async function writeTrainedRun(dir: string, run: TrainedRun): Promise<void> {
  await writeMethodRun(dir, { ...run, modelRef: run.config.model });
}

/**
 * {@link writeTrainedRun} for a run without an experiment config (a Taskflow recipe's): `modelRef` is the pretrained
 * model it started from, recorded in `method.json`.
 * @example
 * await writeMethodRun('runs/sentiment/run', { model, tokenizer, method, modelRef: 'models/fewprompt-zh-mini' });
 */
export async function writeMethodRun(
  dir: string,
  run: Pick<TrainedRun, 'model' | 'tokenizer' | 'method'> & { modelRef?: string | undefined },
): Promise<void> {
  const { model, tokenizer, method, modelRef } = run;
  mkdirSync(dir, { recursive: true });
  savePretrained(model, join(dir, 'model'));
  await tokenizer.save(join(dir, 'model'));
  const own = new Map([...method.snapshot()].filter(([k]) => k.startsWith('method.')));
  if (own.size > 0) writeSafetensors(join(dir, 'method.safetensors'), own);
  // The method records its prompt as trained: exporting after a task's defaults change uses the words this run used.
  const spec: MethodSpec = { ...method.getConfig(), ...(modelRef !== undefined ? { model: modelRef } : {}) };
  writeFileSync(join(dir, 'method.json'), `${JSON.stringify(spec, null, 2)}\n`);
}

/**
 * The prompt a run uses: its config's template, label words (PET, P-Tuning) and descriptions (EFL), each falling back
 * to the task's defaults for the method (its registry definition's `resolvePrompt`).
 * @example resolvedPrompt({ method: 'pet' }, getTask('eprstmt')).labelWords; // → { Negative: ['不'], Positive: ['很'] }
 */
export function resolvedPrompt(
  config: Pick<ExperimentConfig, 'method' | 'template' | 'labelWords' | 'descriptions'>,
  task: TaskDefinition,
): ResolvedPrompt {
  return getMethod(config.method).resolvePrompt(config, task);
}

/** What {@link writeRunOutputs} records of a finished run. */
export interface RunOutputs {
  config: ExperimentConfig;
  task: TaskDefinition;
  /** The report title (`task/variant/split`). */
  label: string;
  result: ExperimentResult;
  testPublic: readonly Example[];
  test: { accuracy: number; predictions: readonly number[] };
  method: Method<MethodBatch>;
  /** Scores more examples as test_public was scored (tfjs or ONNX Runtime). */
  score: (examples: Example[]) => Promise<{ predictions: readonly number[] }>;
  run?: Run | undefined;
}

/**
 * Writes a run's `config.json`, `metrics.json`, `history.json`, `test_public.predictions.jsonl`, `report.html` (logged
 * to MLflow as an artifact) and, when the task has a `test` part and `predictTest` is on, the submission file.
 */
export async function writeRunOutputs(out: string, o: RunOutputs): Promise<void> {
  const { config, task, result, testPublic, test, method } = o;
  mkdirSync(out, { recursive: true });
  const { history, ...metrics } = result;
  writeFileSync(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileSync(join(out, 'history.json'), `${JSON.stringify(history)}\n`);
  const predictions = testPublic.map((e, i) =>
    JSON.stringify({ id: e.id, label: task.labels[test.predictions[i]!], gold: e.label }),
  );
  writeFileSync(join(out, 'test_public.predictions.jsonl'), `${predictions.join('\n')}\n`);
  writeFileSync(
    join(out, 'report.html'),
    renderRunReport({
      title: o.label,
      history,
      labels: task.labels,
      gold: testPublic.map((e) => method.labelOf(e) ?? -1),
      predicted: [...test.predictions],
      metrics: {
        dev_accuracy_best: result.devAccuracy,
        test_public_accuracy: test.accuracy,
        best_step: result.bestStep,
        steps: result.steps,
        train_seconds: result.trainSeconds,
      },
    }),
  );
  await o.run?.logArtifact(join(out, 'report.html'));
  // test.json is 2-5× test_public's size (IFLYTEK EFL: 2,600 × 119 pairs), the bulk of a run's scoring time.
  const unlabeled = config.predictTest ? loadIfPresent(task, 'test') : [];
  if (unlabeled.length > 0) {
    const predicted = (await o.score(unlabeled)).predictions;
    const rows = unlabeled.map((e, i) => ({ id: e.id, label: task.labels[predicted[i]!]! }));
    writeFileSync(join(out, submissionFileName(task)), toSubmission(task, rows));
  }
}
