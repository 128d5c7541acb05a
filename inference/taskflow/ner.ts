/** `ner`, mode `fast`: LAC's entities (PER, LOC, ORG, TIME) among its POS-tagged words. */
import type { Lac } from '../lac/lac.js';
import { resolveConfig, Task, type TaskConfig, type TaskflowOptions } from './base.js';
import { LAC_ENTITY_TYPES, loadLac } from './lac-tasks.js';

/**
 * Named-entity recognition as PaddleNLP's `ner` with `mode: 'fast'`: `[span, type]` pairs, where
 * non-entity words carry their POS tag unless `entityOnly` drops them.
 * @example
 * const task = await NerTask.fromConfig(NerTask.configure({ entityOnly: true }));
 * await task.run(['三亚是一个美丽的城市']); // [[['三亚', 'LOC']]]
 */
export class NerTask extends Task<[string, string][]> {
  static readonly kind = 'ner';
  static readonly modes = { fast: 'lac' } as const;

  private constructor(config: TaskConfig, private readonly lac: Lac) {
    super(config);
  }

  /** Validated config with defaults (mode `fast`; PaddleNLP's `accurate` WordTag model is not ported). */
  static configure(options: TaskflowOptions): TaskConfig {
    return resolveConfig(NerTask.kind, NerTask.modes, 'fast', options);
  }

  /** Loads the model a config names. */
  static async fromConfig(config: TaskConfig): Promise<NerTask> {
    return new NerTask(config, await loadLac(config));
  }

  override async close(): Promise<void> {
    await this.lac.close();
  }

  async run(texts: readonly string[]): Promise<[string, string][][]> {
    const entityOnly = this.config.entityOnly === true;
    return (await this.lac.analyze(texts)).map((r) => r.words.flatMap((w, i): [string, string][] => {
      const tag = r.tags[i]!;
      return entityOnly && !LAC_ENTITY_TYPES.includes(tag) ? [] : [[w, tag]];
    }));
  }
}
