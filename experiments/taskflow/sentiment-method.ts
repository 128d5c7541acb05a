/**
 * The method half of the `sentiment_analysis` recipe (inference/taskflow/sentiment-analysis/train.ts), which
 * inference/ may not import: a registered method (PET by default, with ChnSentiCorp's template and label words)
 * trained by the framework's `Trainer` on the recipe's mix, written in `fewprompt export`'s run layout, and exported
 * through the method's own head (`exportRun`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../framework/backend/select.js';
import { loadPretrained } from '../../framework/model/pretrained.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { Trainer } from '../../framework/trainer/trainer.js';
import type { Example } from '../../datasets/base.js';
import {
  CHNSENTICORP_DEFAULTS,
  CHNSENTICORP_LABEL_NAMES,
  CHNSENTICORP_LABELS,
} from '../../datasets/chnsenticorp/chnsenticorp.js';
import { CustomTask } from '../../datasets/custom-task.js';
import type { Review } from '../../inference/taskflow/sentiment-analysis/reviews.js';
import type {
  SentimentFit,
  SentimentMethod,
  SentimentTrainJob,
} from '../../inference/taskflow/sentiment-analysis/train.js';
import { exportRun } from '../export-run.js';
import { createMethod } from '../methods/registry.js';
import { writeMethodRun } from '../run-files.js';

/** A review as the methods read it: `text_a` and the label key `0` / `1` (ChnSentiCorp's). */
function toExample(review: Review, id: number): Example {
  return { id, fields: { text_a: review.text }, label: String(review.label) };
}

/** The mix as a task: ChnSentiCorp's labels and default prompts over the recipe's TSV files. */
function mixTask(files: SentimentTrainJob['files']): CustomTask {
  return new CustomTask({
    name: 'sentiment-mix',
    format: 'tsv',
    header: true,
    quote: null,
    files: { train: files.train, dev: files.selection },
    fields: { label: 'label', text_a: 'text_a' },
    labels: [...CHNSENTICORP_LABELS],
    labelNames: { ...CHNSENTICORP_LABEL_NAMES },
    defaults: CHNSENTICORP_DEFAULTS,
  });
}

/** Trains `job.options.method` on the mix; the best weights on the selection slice are kept and written. */
async function train(job: SentimentTrainJob): Promise<SentimentFit> {
  const o = job.options;
  await initBackend();
  const { model, dir } = await loadPretrained(o.model, { parts: { pooler: true, mlmHead: true } });
  const tokenizer = await BertTokenizer.fromPretrained(dir);
  const task = mixTask(job.files);
  const method = createMethod(o.method, { model, tokenizer, task, maxSeqLen: o.maxSeqLen, lr: o.lr, seed: o.seed });
  try {
    const fit = await new Trainer(method, {
      epochs: o.epochs,
      ...(o.maxSteps ? { maxSteps: o.maxSteps } : {}),
      batchSize: o.batchSize,
      evalEvery: o.evalEvery,
      seed: o.seed,
      warmupRatio: 0.06,
      checkpointDir: join(job.run, 'checkpoint'),
      checkpointEvery: o.checkpointEvery,
      resume: o.resume,
      identity: { task: 'sentiment_analysis', model: o.model, method: o.method, maxSeqLen: o.maxSeqLen },
      label: `sentiment/${o.method}`,
      onStep: () => (Date.now() > job.deadline ? 'stop' : undefined),
    }).fit(job.train.map(toExample), job.selection.map(toExample));
    await writeMethodRun(job.run, { model, tokenizer, method, modelRef: o.model });
    // bundle.json's `source.metrics` (exportRun reads the run's metrics.json).
    const metrics = {
      task: 'sentiment-mix',
      method: o.method,
      model: o.model,
      steps: fit.steps,
      bestStep: fit.bestStep,
      batchSize: o.batchSize,
      maxSeqLen: o.maxSeqLen,
      lr: o.lr,
      seed: o.seed,
      trainReviews: job.train.length,
      selectionAccuracy: fit.bestDev,
      selectionSize: job.selection.length,
    };
    writeFileSync(join(job.run, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    return fit;
  } finally {
    method.dispose();
    model.dispose();
  }
}

/**
 * The recipe's method: `createMethod(options.method)` trained with the framework's `Trainer` (resumable, progress bar,
 * `--max-minutes`), exported with the method's head.
 * @example await trainSentiment({ out: 'runs/sentiment', maxMinutes: 40 }, promptSentimentMethod);
 */
export const promptSentimentMethod: SentimentMethod = {
  train,
  async export(run, bundle, options) {
    await exportRun(run, bundle, options);
  },
};
