/** The `dependency_parsing` family as data: its task and its recipe (a biaffine parser on UD Chinese GSD). */
import { taskflowFamily, taskflowRecipe, taskflowTask } from '../family.js';
import { pct } from '../train-settings.js';
import type { DependencyParserTrainResult } from './train.js';
import { DEPENDENCY_PARSER_SETTINGS, type DependencyParserTrainOptions } from './train-options.js';

export const DEPENDENCY_PARSING_TASK = taskflowTask({
  kind: 'dependency_parsing',
  summary: "a dependency tree over LAC's words (biaffine parser trained on UD Chinese GSD)",
  modes: { base: 'biaffine-gsd' },
  defaultMode: 'base',
  load: async () => (await import('./task.js')).DependencyParsingTask,
});

/**
 * The recipe's result as one line: dev UAS and LAS in tfjs and, once exported, on ONNX Runtime.
 * @example dependencyParserReport(r); // 'dependency_parsing → runs/dep: dev UAS 80.12, LAS 75.40 (tfjs); bundle …'
 */
export function dependencyParserReport(r: DependencyParserTrainResult): string {
  const onnx = r.devOnnx
    ? `; bundle ${r.bundle} (ONNX Runtime): UAS ${pct(r.devOnnx.uas)}, LAS ${pct(r.devOnnx.las)}`
    : '';
  return `dependency_parsing → ${r.out}: dev UAS ${pct(r.devTfjs?.uas)}, LAS ${pct(r.devTfjs?.las)} (tfjs)${onnx}`;
}

/** `inference/taskflow/dependency-parsing/`. */
export const DEPENDENCY_PARSING_FAMILY = taskflowFamily({
  name: 'dependency-parsing',
  tasks: [DEPENDENCY_PARSING_TASK],
  recipes: [
    taskflowRecipe({
      kind: 'dependency_parsing',
      summary: 'biaffine parser on UD Chinese GSD',
      settings: DEPENDENCY_PARSER_SETTINGS,
      train: async (options) =>
        (await import('./train.js')).trainDependencyParser(options as Partial<DependencyParserTrainOptions>),
      report: dependencyParserReport,
    }),
  ],
});
