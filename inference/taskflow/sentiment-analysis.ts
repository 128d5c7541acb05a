/**
 * `sentiment_analysis`: a review's polarity, PaddleNLP Taskflow's `{text, label, score}` with label
 * `positive` or `negative`. The shipped model (`models/taskflow/sentiment-analysis/`, see its
 * MODEL_CARD.md) is our default encoder trained on ChnSentiCorp and exported as an INT8 bundle; long
 * texts are split into windows and their probabilities averaged (AutoSplitter).
 */
import { BundleError } from '../../framework/errors.js';
import { loadClassifier, type Classifier } from '../runtime/classifier.js';
import { resolveConfig, Task, type TaskConfig, type TaskflowOptions, type TaskModel, taskModelDir } from './base.js';
import { TASK_CATALOG } from './catalog.js';
import { packagePath } from '../../framework/package-paths.js';

/** The shipped sentiment bundle: in the git repository, not in the npm package. */
const MODEL: TaskModel = {
  task: 'sentiment_analysis',
  path: 'models/taskflow/sentiment-analysis',
  marker: 'bundle.json',
  what: 'model bundle',
  makeOne: "a bundle from 'fewprompt export'",
};
/** Where the shipped sentiment bundle lives. */
export const SHIPPED_SENTIMENT_MODEL = packagePath(MODEL.path);

/** A bundle label → Taskflow's label: ChnSentiCorp's `0`/`1` and FewCLUE EPRSTMT's `Negative`/`Positive`. */
const POLARITY: Readonly<Record<string, 'positive' | 'negative'>> = {
  0: 'negative',
  1: 'positive',
  Negative: 'negative',
  Positive: 'positive',
  negative: 'negative',
  positive: 'positive',
};

/** One result. */
export interface SentimentResult {
  readonly text: string;
  readonly label: 'positive' | 'negative';
  /** Probability of the label (softmax over the two labels). */
  readonly score: number;
}

/**
 * @example
 * const task = await SentimentAnalysisTask.fromConfig(SentimentAnalysisTask.configure({}));
 * await task.run(['房间太小，服务态度很差，不会再来了']);
 * // [{ text: '房间太小，服务态度很差，不会再来了', label: 'negative', score: 0.944 }]
 */
export class SentimentAnalysisTask extends Task<SentimentResult> {
  static readonly kind = 'sentiment_analysis';
  static readonly modes = TASK_CATALOG.sentiment_analysis.modes;

  private constructor(
    config: TaskConfig,
    private readonly classifier: Classifier,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `base`; `taskPath` = another sentiment bundle). */
  static configure(options: TaskflowOptions): TaskConfig {
    return resolveConfig(
      SentimentAnalysisTask.kind,
      SentimentAnalysisTask.modes,
      TASK_CATALOG.sentiment_analysis.defaultMode,
      options,
    );
  }

  /** Loads the shipped bundle, or the one `taskPath` names (its labels must be a polarity pair). */
  static async fromConfig(config: TaskConfig): Promise<SentimentAnalysisTask> {
    const dir = taskModelDir(MODEL, config.taskPath);
    const classifier = await loadClassifier(dir);
    const unknown = classifier.labels.filter((l) => POLARITY[l] === undefined);
    if (unknown.length > 0)
      throw new BundleError(
        `${dir}: labels ${unknown.join(', ')} are not polarities; expected two of ${Object.keys(POLARITY).join(', ')}`,
      );
    return new SentimentAnalysisTask(config, classifier);
  }

  async run(texts: readonly string[]): Promise<SentimentResult[]> {
    const predictions = await this.classifier.predict(texts, { batchSize: this.config.batchSize });
    return predictions.map((p, i) => ({ text: texts[i]!, label: POLARITY[p.label]!, score: p.score }));
  }
}
