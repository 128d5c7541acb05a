/** Loading LAC as a Taskflow config asks, for the lexical tasks (`word_segmentation`, `pos_tagging`, `ner` fast). */
import type { TaskConfig } from '../base.js';
import { resolveLacModelDir } from './convert.js';
import { Lac, SHIPPED_LAC_MODEL } from './lac.js';

/**
 * Loads LAC as a task config asks: `taskPath` (converted once into `homePath` when it is in
 * PaddlePaddle's layout) or the shipped model, with the user dictionary and backend.
 * @example
 * const lac = await loadLac({ task: 'pos_tagging', mode: 'base', model: 'lac', batchSize: 32 });
 */
export function loadLac(config: TaskConfig): Promise<Lac> {
  const dir = config.taskPath === undefined ? SHIPPED_LAC_MODEL : resolveLacModelDir(config.taskPath, config.homePath);
  return Lac.load(dir, {
    batchSize: config.batchSize,
    ...(config.backend === undefined ? {} : { backend: config.backend }),
    ...(config.userDict === undefined ? {} : { userDict: config.userDict }),
    ...(config.workers === undefined ? {} : { workers: config.workers }),
  });
}

/** LAC's entity types. */
export const LAC_ENTITY_TYPES: readonly string[] = ['PER', 'LOC', 'ORG', 'TIME'];

/**
 * `ner` mode `fast`: LAC's `[word, tag]` pairs per text, entities (PER, LOC, ORG, TIME) among POS-tagged words, or the
 * entities alone with `entityOnly`.
 * @example
 * await lacEntities(lac, ['李小龙在1970年去了香港。'], true); // [[['李小龙', 'PER'], ['1970年', 'TIME'], ['香港', 'LOC']]]
 */
export async function lacEntities(
  lac: Lac,
  texts: readonly string[],
  entityOnly: boolean,
): Promise<[string, string][][]> {
  return (await lac.analyze(texts)).map((r) =>
    r.words.flatMap((w, i): [string, string][] => {
      const tag = r.tags[i]!;
      return entityOnly && !LAC_ENTITY_TYPES.includes(tag) ? [] : [[w, tag]];
    }),
  );
}
