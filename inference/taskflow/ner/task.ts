/**
 * `ner`: `[span, type]` pairs per text.
 * - mode `fast`: LAC's entities (PER, LOC, ORG, TIME) among its POS-tagged words;
 * - mode `accurate`: our encoder with a token-classification head trained on CLUENER2020 — ten
 *   fine-grained types (address, book, company, game, government, movie, name, organization,
 *   position, scene), entities only; the head also reads LAC's tag of each character
 *   (`models/taskflow/ner/`, see its MODEL_CARD.md); its entity lexicon and the caller's `userDict` (`实体/类型`
 *   lines) correct the tagged spans (lexicon.ts).
 */
import type { Lac } from '../lexical-analysis/lac.js';
import { loadTokenClassifier, TokenClassifier } from './token-classifier.js';
import { Task, type TaskConfig, type TaskflowOptions, taskConfig, type TaskModel, taskModelDir } from '../base.js';
import { NER_TASK } from './family.js';
import { lacEntities, loadLac } from '../lexical-analysis/load-lac.js';
import { packagePath } from '../../../framework/package-paths.js';

/** The `accurate` model (a token-classification bundle): in the git repository, not in the npm package. */
const ACCURATE_MODEL: TaskModel = {
  task: 'ner (accurate)',
  path: 'models/taskflow/ner',
  marker: 'bundle.json',
  what: 'model bundle',
  makeOne: "a bundle from 'fewprompt taskflow-train ner' (OUT/bundle-int8)",
};
/** Where the shipped `accurate` model lives. */
export const SHIPPED_NER_ACCURATE_MODEL = packagePath(ACCURATE_MODEL.path);

/**
 * Named-entity recognition as PaddleNLP's `ner`: `[span, type]` pairs. In `fast` mode non-entity words
 * carry their POS tag unless `entityOnly` drops them; `accurate` returns entities only.
 * @example
 * const task = await NerTask.fromConfig(NerTask.configure({ entityOnly: true }));
 * await task.run(['三亚是一个美丽的城市']); // [[['三亚', 'LOC']]]
 * const accurate = await NerTask.fromConfig(NerTask.configure({ mode: 'accurate' }));
 * await accurate.run(['浙商银行企业信贷部叶老桂博士']); // [[['浙商银行企业信贷部', 'company'], ['叶老桂', 'name'], ['博士', 'position']]]
 */
export class NerTask extends Task<[string, string][]> {
  static readonly kind = NER_TASK.kind;
  static readonly modes = NER_TASK.modes;

  private constructor(
    config: TaskConfig,
    private readonly engine: Lac | TokenClassifier,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `fast`; `accurate` = our CLUENER token classifier). */
  static configure(options: TaskflowOptions): TaskConfig {
    return taskConfig(NER_TASK, options);
  }

  /**
   * Loads the model a config names (`taskPath`: a LAC model in
   * `fast` mode, a token-classification bundle in `accurate`).
   */
  static async fromConfig(config: TaskConfig): Promise<NerTask> {
    if (config.mode !== 'accurate') return new NerTask(config, await loadLac(config));
    const dir = taskModelDir(ACCURATE_MODEL, config.taskPath);
    // In this mode `userDict` is an entity dictionary (`实体/类型` lines) added to the bundle's lexicon.
    const userDict = config.userDict === undefined ? {} : { userDict: config.userDict };
    return new NerTask(config, await loadTokenClassifier(dir, userDict));
  }

  override async close(): Promise<void> {
    await (this.engine instanceof TokenClassifier ? this.engine.release() : this.engine.close());
  }

  async run(texts: readonly string[]): Promise<[string, string][][]> {
    const { engine } = this;
    if (engine instanceof TokenClassifier) {
      return (await engine.predict(texts, { batchSize: this.config.batchSize })).map((entities) =>
        entities.map((e): [string, string] => [e.text, e.type]),
      );
    }
    return lacEntities(engine, texts, this.config.entityOnly === true);
  }
}
