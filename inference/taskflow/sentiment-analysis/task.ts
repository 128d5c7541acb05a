/**
 * `sentiment_analysis`: a review's polarity, PaddleNLP Taskflow's `{text, label, score}` with label
 * `positive` or `negative`. The shipped model (`models/taskflow/sentiment-analysis/`, see its
 * MODEL_CARD.md) is our default encoder trained with PET on a mix of review sets and exported as an INT8 bundle; long
 * texts are split into windows and their probabilities averaged (AutoSplitter); the bundle's decision rule
 * (`sentiment.json`, decision.ts) adds its character n-gram model's margin where it has one, and its bias picks the
 * label.
 */
import { BundleError } from '../../../framework/errors.js';
import { packagePath } from '../../../framework/package-paths.js';
import { loadClassifier, type Classifier } from '../../runtime/classifier.js';
import { Task, type TaskConfig, type TaskflowOptions, taskConfig, type TaskModel, taskModelDir } from '../base.js';
import { SENTIMENT_ANALYSIS_TASK } from './family.js';
import { combinedMargin, type Decision, decide, loadDecision, marginOf } from './decision.js';

/** The shipped sentiment bundle: in the git repository, not in the npm package. */
const MODEL: TaskModel = {
  task: 'sentiment_analysis',
  path: 'models/taskflow/sentiment-analysis',
  marker: 'bundle.json',
  what: 'model bundle',
  makeOne: "a bundle from 'fewprompt taskflow-train sentiment_analysis' or 'fewprompt export'",
};
/** Where the shipped sentiment bundle lives. */
export const SHIPPED_SENTIMENT_MODEL = packagePath(MODEL.path);

/** A bundle label → Taskflow's label: ChnSentiCorp's `0`/`1` and FewCLUE EPRSTMT's `Negative`/`Positive`. */
export const POLARITY: Readonly<Record<string, 'positive' | 'negative'>> = {
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
  /** Probability of the label: the softmax over the two labels, shifted by the bundle's decision bias. */
  readonly score: number;
}

/**
 * @example
 * const task = await SentimentAnalysisTask.fromConfig(SentimentAnalysisTask.configure({}));
 * await task.run(['房间太小，服务态度很差，不会再来了']);
 * // [{ text: '房间太小，服务态度很差，不会再来了', label: 'negative', score: 0.944 }]
 */
export class SentimentAnalysisTask extends Task<SentimentResult> {
  static readonly kind = SENTIMENT_ANALYSIS_TASK.kind;
  static readonly modes = SENTIMENT_ANALYSIS_TASK.modes;

  private constructor(
    config: TaskConfig,
    private readonly classifier: Classifier,
    /** The bundle's labels for negative and positive. */
    private readonly labels: { readonly negative: string; readonly positive: string },
    /** The bias added to log p(positive) − log p(negative), and the n-gram model (`sentiment.json`, decision.ts). */
    private readonly decision: Decision,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `base`; `taskPath` = another sentiment bundle). */
  static configure(options: TaskflowOptions): TaskConfig {
    return taskConfig(SENTIMENT_ANALYSIS_TASK, options);
  }

  /** Loads the shipped bundle, or the one `taskPath` names (its labels must be a polarity pair). */
  static async fromConfig(config: TaskConfig): Promise<SentimentAnalysisTask> {
    const dir = taskModelDir(MODEL, config.taskPath);
    const decision = loadDecision(dir);
    const classifier = await loadClassifier(dir);
    const unknown = classifier.labels.filter((l) => POLARITY[l] === undefined);
    const negative = classifier.labels.find((l) => POLARITY[l] === 'negative');
    const positive = classifier.labels.find((l) => POLARITY[l] === 'positive');
    if (unknown.length > 0 || negative === undefined || positive === undefined || classifier.labels.length !== 2) {
      await classifier.release();
      throw new BundleError(
        `${dir}: labels ${classifier.labels.join(', ')} are not a polarity pair; ` +
          `expected a negative and a positive one of ${Object.keys(POLARITY).join(', ')}`,
      );
    }
    return new SentimentAnalysisTask(config, classifier, { negative, positive }, decision);
  }

  async run(texts: readonly string[]): Promise<SentimentResult[]> {
    const predictions = await this.classifier.predict(texts, { batchSize: this.config.batchSize });
    return predictions.map((p, i) => {
      const encoder = marginOf(p.probabilities[this.labels.positive]!, p.probabilities[this.labels.negative]!);
      const { label, score } = decide(combinedMargin(this.decision, encoder, texts[i]!), this.decision.bias);
      return { text: texts[i]!, label: label === 1 ? 'positive' : 'negative', score };
    });
  }
}
