/** `pos_tagging`: LAC's 24 part-of-speech tags plus PER/LOC/ORG/TIME. */
import type { Lac } from './lac.js';
import { Task, type TaskConfig, type TaskflowOptions, taskConfig } from '../base.js';
import { POS_TAGGING_TASK } from './family.js';
import { loadLac } from './load-lac.js';

/**
 * Part-of-speech tagging, PaddleNLP's output shape: `[word, tag]` pairs per text.
 * @example
 * const task = await PosTaggingTask.fromConfig(PosTaggingTask.configure({}));
 * await task.run(['三亚是一个美丽的城市']);
 * // [[['三亚', 'LOC'], ['是', 'v'], ['一个', 'm'], ['美丽', 'a'], ['的', 'u'], ['城市', 'n']]]
 */
export class PosTaggingTask extends Task<[string, string][]> {
  static readonly kind = POS_TAGGING_TASK.kind;
  static readonly modes = POS_TAGGING_TASK.modes;

  private constructor(
    config: TaskConfig,
    private readonly lac: Lac,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `base`). */
  static configure(options: TaskflowOptions): TaskConfig {
    return taskConfig(POS_TAGGING_TASK, options);
  }

  /** Loads the model a config names. */
  static async fromConfig(config: TaskConfig): Promise<PosTaggingTask> {
    return new PosTaggingTask(config, await loadLac(config));
  }

  override async close(): Promise<void> {
    await this.lac.close();
  }

  async run(texts: readonly string[]): Promise<[string, string][][]> {
    return (await this.lac.analyze(texts)).map((r) => r.words.map((w, i): [string, string] => [w, r.tags[i]!]));
  }
}
