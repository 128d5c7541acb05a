import { Corrector, type CandidateMode, type CorrectionResult } from './corrector.js';
import { Task, type TaskConfig, type TaskflowOptions, taskConfig, type TaskModel, taskModelDir } from '../base.js';
import { TEXT_CORRECTION_TASK } from './family.js';
import { packagePath } from '../../../framework/package-paths.js';

/** The shipped model: in the git repository, not in the npm package. */
const MODEL: TaskModel = {
  task: 'text_correction',
  path: 'models/taskflow/text-correction',
  marker: 'csc.json',
  what: 'model directory',
  makeOne: "a directory from 'fewprompt taskflow-train text_correction'",
};
/** Where the shipped model directory lives. */
export const SHIPPED_CSC_MODEL = packagePath(MODEL.path);

/**
 * Spelling correction. Modes: `confusion` (default; a character may only become one of its
 * sound- or shape-alike characters) and `vocab` (any character the masked LM prefers).
 * `taskPath` loads another model directory in the same layout.
 * @example
 * const task = await TextCorrectionTask.fromConfig(TextCorrectionTask.configure({}));
 * await task.run(['遇到逆竟时，我们必须勇于面对']);
 * // → [{ source: '遇到逆竟时，我们必须勇于面对', target: '遇到逆境时，我们必须勇于面对', errors: [{ position: 3, correction: { 竟: '境' } }] }]
 */
export class TextCorrectionTask extends Task<CorrectionResult> {
  static readonly kind = TEXT_CORRECTION_TASK.kind;
  static readonly modes = TEXT_CORRECTION_TASK.modes;

  private constructor(
    config: TaskConfig,
    private readonly corrector: Corrector,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `confusion`). */
  static configure(options: TaskflowOptions): TaskConfig {
    return taskConfig(TEXT_CORRECTION_TASK, options);
  }

  /** Loads the model a config names. */
  static async fromConfig(config: TaskConfig): Promise<TextCorrectionTask> {
    return new TextCorrectionTask(config, await Corrector.load(taskModelDir(MODEL, config.taskPath)));
  }

  async run(texts: readonly string[]): Promise<CorrectionResult[]> {
    return this.corrector.correct(texts, { mode: this.config.mode as CandidateMode, batchSize: this.config.batchSize });
  }
}
