/**
 * Scoring a trained run on ONNX Runtime instead of tfjs: the run's weights go through `fewprompt export`'s own
 * path (a fused FP32 bundle in a temporary directory) and examples are scored by `loadClassifier`, the serving
 * runtime. On one core that is 5-8× faster than tfjs-wasm's forward pass (bench/results/inference.md: 108 vs
 * 12.6 GFLOP/s), which is what makes EFL on the many-label tasks affordable: IFLYTEK pairs every example with
 * 119 label descriptions. It also checks, on every run, that the exported model is the trained one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, evaluationOf, type Evaluation } from '../framework/trainer/evaluate.js';
import { exportRun } from './export-run.js';
import { loadClassifier, type Classifier } from '../inference/runtime/classifier.js';
import type { ClassifierInput } from '../inference/runtime/features.js';
import type { Example, TaskDefinition } from '../datasets/base.js';
import { log } from '../framework/log.js';
import { fieldText } from './methods/base.js';
import { writeTrainedRun, type TrainedRun } from './run-files.js';

/** Where a run's test examples are scored: tfjs (the training engine) or ONNX Runtime (an exported bundle). */
export const EVAL_ENGINES = ['tfjs', 'onnx'] as const;
export type EvalEngine = (typeof EVAL_ENGINES)[number];

/** Encoder rows per ORT run (EFL: examples × labels): IFLYTEK's 119 pairs run one example at a time. */
const ROWS_PER_RUN = 64;

/**
 * Dev sets of at least this many encoder rows are scored on ORT during training too. An export costs a few
 * seconds (≈ 60-70 rows of tfjs-wasm scoring); ORT then scores a row 5-8× faster. TNEWS (240 dev examples), CSLDCP,
 * IFLYTEK and every EFL run qualify; EPRSTMT's 32 PET rows do not.
 */
export const ONNX_DEV_MIN_ROWS = 128;

/** Encoder rows the scorer spends per example of `task` under `method` (EFL: a pair per label). */
export function scoringRowsPerExample(method: string, task: TaskDefinition): number {
  return method === 'efl' ? task.labels.length : 1;
}

/**
 * Why a task cannot be scored through a bundle, or undefined when it can.
 * @example onnxUnsupported(getTask('chid')); // → 'chid is multiple-choice (…), which bundles do not export'
 */
export function onnxUnsupported(task: TaskDefinition): string | undefined {
  if (task.multipleChoice)
    return `${task.kind} is multiple-choice (candidates per example), which bundles do not export`;
  return undefined;
}

/**
 * ORT intra-op threads for scoring: `FEWPROMPT_ORT_THREADS` (the suite's local pool sets it to cores ÷ workers
 * so parallel jobs do not oversubscribe the CPU), else ORT's default (every core).
 */
export function ortThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env['FEWPROMPT_ORT_THREADS']);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/**
 * A trained run exported to ONNX Runtime for scoring.
 * @example
 * const scorer = await OnnxScorer.create({ model, tokenizer, method, config, task });
 * (await scorer.evaluate(testPublic)).accuracy; // → 0.7213 (the tfjs method's accuracy, up to float rounding)
 * await scorer.release();
 */
export class OnnxScorer {
  private constructor(
    private readonly dir: string,
    readonly classifier: Classifier,
    private readonly run: TrainedRun,
  ) {}

  /** Exports `run` (FP32, fused kernels) to a temporary bundle and loads it. */
  static async create(run: TrainedRun, options: { threads?: number } = {}): Promise<OnnxScorer> {
    const why = onnxUnsupported(run.task);
    if (why !== undefined) throw new Error(`cannot score on ONNX Runtime: ${why}`);
    const dir = mkdtempSync(join(tmpdir(), 'fewprompt-ort-eval-'));
    try {
      await writeTrainedRun(join(dir, 'run'), run);
      await exportRun(join(dir, 'run'), join(dir, 'bundle'));
      const classifier = await loadClassifier(
        join(dir, 'bundle'),
        options.threads === undefined ? {} : { threads: options.threads },
      );
      return new OnnxScorer(dir, classifier, run);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * The bundle's input for an example: template methods read the fields as training did; fine-tuning the joined texts.
   */
  private input(e: Example): ClassifierInput {
    if (this.run.config.method !== 'finetune') return e.fields as unknown as ClassifierInput;
    return Object.fromEntries(this.run.task.textFields.map((f) => [f, fieldText(e.fields[f])]));
  }

  /** Label scores, predictions and accuracy, as `evaluate` returns them for the tfjs method. */
  async evaluate(examples: readonly Example[]): Promise<Evaluation> {
    const inputs = examples.map((e) => this.input(e));
    const featurizer = this.classifier.featurizer;
    const perRun = Math.max(1, Math.floor(ROWS_PER_RUN / featurizer.rowsPerInput));
    // Runs of similar lengths pad little.
    const lengths = inputs.map((x) => featurizer.row(x).ids.length);
    const order = inputs.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
    const scores: number[][] = new Array<number[]>(inputs.length);
    for (let at = 0; at < order.length; at += perRun) {
      const chunk = order.slice(at, at + perRun);
      const out = await this.classifier.scores(chunk.map((i) => inputs[i]!));
      chunk.forEach((i, k) => {
        scores[i] = Array.from(out[k]!);
      });
    }
    return evaluationOf(this.run.method, examples, scores);
  }

  /**
   * Whether the bundle scores `examples` as the tfjs method does: every label score within 1e-3 of the scores'
   * magnitude (float rounding is ~1e-6). Run once per run, on a few dev examples, before trusting ORT's numbers.
   */
  async agreesWithTfjs(examples: readonly Example[]): Promise<{ ok: boolean; worst: number; scale: number }> {
    const [a, b] = [evaluate(this.run.method, [...examples], 16), await this.evaluate(examples)];
    let [worst, scale] = [0, 0];
    a.scores.forEach((row, i) =>
      row.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - (b.scores[i]?.[j] ?? NaN)));
        scale = Math.max(scale, Math.abs(v));
      }),
    );
    return { ok: worst <= 1e-3 * Math.max(scale, 1e-6), worst, scale };
  }

  async release(): Promise<void> {
    await this.classifier.release();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * ONNX Runtime scoring for one run (`evalEngine: 'onnx'`): test examples always, dev during training when it is
 * large (≥ {@link ONNX_DEV_MIN_ROWS} rows). The first export is checked against the tfjs method on a few dev
 * examples; if they disagree, or the task cannot be exported (multiple choice), the run scores on tfjs.
 */
export class OnnxEngine {
  private verdict: 'unchecked' | 'ok' | 'failed';
  readonly scoresDev: boolean;

  constructor(
    private readonly run: TrainedRun,
    private readonly dev: Example[],
    private readonly label: string,
  ) {
    const { config, task } = run;
    const why = config.evalEngine === 'onnx' ? onnxUnsupported(task) : undefined;
    if (why !== undefined) log.info(`${label}: scoring on tfjs, not ONNX Runtime: ${why}`);
    this.verdict = config.evalEngine === 'onnx' && why === undefined ? 'unchecked' : 'failed';
    this.scoresDev =
      this.verdict !== 'failed' && dev.length * scoringRowsPerExample(config.method, task) >= ONNX_DEV_MIN_ROWS;
    if (this.scoresDev)
      log.info(
        `${label}: dev (${dev.length * scoringRowsPerExample(config.method, task)} encoder rows) ` +
          'is scored on ONNX Runtime as well as test',
      );
  }

  /** The current weights on ORT, or undefined when this run scores on tfjs. */
  async scorer(): Promise<OnnxScorer | undefined> {
    if (this.verdict === 'failed') return undefined;
    let scorer: OnnxScorer;
    try {
      scorer = await OnnxScorer.create(this.run, { threads: ortThreadsFromEnv() });
    } catch (error) {
      // e.g. onnxruntime-node has no binary for this platform: the run still scores, on tfjs.
      log.warn(
        `${this.label}: ONNX Runtime scoring unavailable (${(error as Error).message.split('\n')[0]}); scoring on tfjs`,
      );
      this.verdict = 'failed';
      return undefined;
    }
    if (this.verdict === 'unchecked' && this.dev.length > 0) {
      const sample = this.dev.slice(
        0,
        Math.max(1, Math.floor(64 / scoringRowsPerExample(this.run.config.method, this.run.task))),
      );
      const check = await scorer.agreesWithTfjs(sample);
      if (!check.ok) {
        log.warn(
          `${this.label}: the exported model's scores differ from the trained model's ` +
            `by up to ${check.worst.toPrecision(3)} (scores up to ${check.scale.toPrecision(3)}) ` +
            `on ${sample.length} dev examples; scoring on tfjs instead`,
        );
        this.verdict = 'failed';
        await scorer.release();
        return undefined;
      }
    }
    this.verdict = 'ok';
    return scorer;
  }

  async devAccuracy(dev: Example[]): Promise<number> {
    const scorer = await this.scorer();
    if (!scorer) return evaluate(this.run.method, dev, this.run.config.batchSize * 2).accuracy;
    try {
      return (await scorer.evaluate(dev)).accuracy;
    } finally {
      await scorer.release();
    }
  }
}
