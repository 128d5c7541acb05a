/**
 * `dependency_parsing`: a biaffine parser (DDParser's architecture on our small BERT, trained on UD
 * Chinese GSD) over LAC's words; every result is a tree (maximum spanning tree decoding).
 */
import { TaskInputError } from '../../../framework/errors.js';
import type { Lac } from '../lexical-analysis/lac.js';
import { DependencyParser } from './parser.js';
import { lacWordTags } from './word-tags.js';
import { Task, type TaskConfig, type TaskflowOptions, taskConfig, type TaskModel, taskModelDir } from '../base.js';
import { DEPENDENCY_PARSING_TASK } from './family.js';
import { loadLac } from '../lexical-analysis/load-lac.js';
import { packagePath } from '../../../framework/package-paths.js';

/** The shipped parser bundle: in the git repository, not in the npm package. */
const MODEL: TaskModel = {
  task: 'dependency_parsing',
  path: 'models/taskflow/dependency-parsing',
  marker: 'parser.json',
  what: 'parser bundle',
  makeOne: "a bundle from 'fewprompt taskflow-train dependency_parsing --bundle DIR'",
};
/** The shipped parser bundle. */
export const SHIPPED_PARSER = packagePath(`${MODEL.path}/`);

/** PaddleNLP's result shape: the words, each word's 1-based head (0 = root) and its relation (UD labels). */
export interface DependencyParse {
  word: string[];
  head: number[];
  deprel: string[];
}

/**
 * Dependency parsing as PaddleNLP's `Taskflow('dependency_parsing')`: texts are segmented by LAC
 * (`userDict` applies), or passed as words with {@link DependencyParsingTask.fromSegments}.
 * `taskPath` loads another parser bundle (`fewprompt taskflow-train dependency_parsing --bundle DIR`).
 * @example
 * const task = await DependencyParsingTask.fromConfig(DependencyParsingTask.configure({}));
 * await task.run(['百度是一家高科技公司']);
 * // [{ word: ['百度', '是', '一家', '高科技', '公司'], head: [5, 5, 5, 5, 0],
 * //    deprel: ['nsubj', 'cop', 'nummod', 'nmod', 'root'] }]
 * // (the shipped model's answer: UD's analysis, 公司 the root and 是 its copula; see its model card)
 */
export class DependencyParsingTask extends Task<DependencyParse> {
  static readonly kind = DEPENDENCY_PARSING_TASK.kind;
  static readonly modes = DEPENDENCY_PARSING_TASK.modes;
  private lac: Promise<Lac> | undefined;

  private constructor(
    config: TaskConfig,
    private readonly parser: DependencyParser,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `base`). */
  static configure(options: TaskflowOptions): TaskConfig {
    return taskConfig(DEPENDENCY_PARSING_TASK, options);
  }

  /** Loads the parser bundle (`taskPath`, else the shipped one); LAC loads on the first text. */
  static async fromConfig(config: TaskConfig): Promise<DependencyParsingTask> {
    return new DependencyParsingTask(config, await DependencyParser.load(taskModelDir(MODEL, config.taskPath)));
  }

  private segmenter(): Promise<Lac> {
    const { batchSize, userDict, backend, workers } = this.config;
    this.lac ??= loadLac({
      task: 'word_segmentation',
      mode: 'base',
      model: 'lac',
      batchSize,
      ...(userDict === undefined ? {} : { userDict }),
      ...(backend === undefined ? {} : { backend }),
      ...(workers === undefined ? {} : { workers }),
    });
    return this.lac;
  }

  async run(texts: readonly string[]): Promise<DependencyParse[]> {
    const analysed = await (await this.segmenter()).analyze(texts);
    return this.parseWords(
      analysed.map((r) => r.words),
      analysed.map((r) => r.tags),
    );
  }

  /**
   * Parses words as given (PaddleNLP's `from_segments`); empty words are refused.
   * @example
   * await task.fromSegments([['百度', '是', '一家', '高科技', '公司']]);
   * // [{ word: ['百度', '是', '一家', '高科技', '公司'], head: [5, 5, 5, 5, 0],
   * //    deprel: ['nsubj', 'cop', 'nummod', 'nmod', 'root'] }]
   */
  async fromSegments(segments: readonly (readonly string[])[]): Promise<DependencyParse[]> {
    segments.forEach((words, i) => {
      if (!Array.isArray(words)) throw new TaskInputError(`segments[${i}] is not an array of words`);
      words.forEach((w, k) => {
        if (typeof w !== 'string' || w.trim() === '')
          throw new TaskInputError(`segments[${i}][${k}] must be a non-empty string, got ${JSON.stringify(w)}`);
      });
    });
    const tags = this.parser.tagVocab ? await lacWordTags(await this.segmenter(), segments) : undefined;
    return this.parseWords(segments, tags);
  }

  /** Parses words (with LAC's tags when the bundle reads them). */
  private async parseWords(
    segments: readonly (readonly string[])[],
    tags: readonly (readonly string[])[] | undefined,
  ): Promise<DependencyParse[]> {
    const parses = await this.parser.parse(segments, {
      batchSize: this.config.batchSize,
      ...(tags && this.parser.tagVocab ? { tags } : {}),
    });
    return parses.map((p, i) => ({ word: [...segments[i]!], head: p.heads, deprel: p.deprels }));
  }

  override async close(): Promise<void> {
    if (this.lac) await (await this.lac).close();
  }
}
