/** Shared loading of the LAC model for the lexical tasks (`word_segmentation`, `pos_tagging`, `ner`). */
import { resolveLacModelDir } from '../lac/convert.js';
import { Lac, SHIPPED_LAC_MODEL } from '../lac/lac.js';
import type { TaskConfig } from './base.js';

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
