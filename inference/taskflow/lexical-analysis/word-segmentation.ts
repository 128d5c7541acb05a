/** `word_segmentation`: `base` = LAC (default), `fast` = jieba dictionary + HMM. */
import { Lac } from './lac.js';
import { Task, type TaskConfig, type TaskflowOptions, taskConfig } from '../base.js';
import { WORD_SEGMENTATION_TASK } from './family.js';
import { FastSegmenter } from './jieba-fast.js';
import { loadLac } from './load-lac.js';

/**
 * Chinese word segmentation, PaddleNLP's output shape: the words of each text.
 * @example
 * const task = await WordSegmentationTask.fromConfig(WordSegmentationTask.configure({}));
 * await task.run(['三亚是一个美丽的城市']); // [['三亚', '是', '一个', '美丽', '的', '城市']]
 */
export class WordSegmentationTask extends Task<string[]> {
  static readonly kind = WORD_SEGMENTATION_TASK.kind;
  static readonly modes = WORD_SEGMENTATION_TASK.modes;

  private constructor(
    config: TaskConfig,
    private readonly engine: Lac | FastSegmenter,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `base`). */
  static configure(options: TaskflowOptions): TaskConfig {
    return taskConfig(WORD_SEGMENTATION_TASK, options);
  }

  /** Loads the model a config names. */
  static async fromConfig(config: TaskConfig): Promise<WordSegmentationTask> {
    const engine = config.mode === 'fast' ? new FastSegmenter(config.userDict) : await loadLac(config);
    return new WordSegmentationTask(config, engine);
  }

  override async close(): Promise<void> {
    if (this.engine instanceof Lac) await this.engine.close();
  }

  async run(texts: readonly string[]): Promise<string[][]> {
    const { engine } = this;
    if (engine instanceof FastSegmenter) return texts.map((t) => engine.cut(t));
    return (await engine.analyze(texts)).map((r) => r.words);
  }
}
