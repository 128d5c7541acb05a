/** The `ner` family as data: its task (modes `fast`: LAC, `accurate`: our CLUENER model) and its recipe. */
import { taskflowFamily, taskflowRecipe, taskflowTask } from '../family.js';
import { pct } from '../train-settings.js';
import type { NerTrainResult } from './train.js';
import { NER_SETTINGS, type NerTrainOptions } from './train-options.js';

export const NER_TASK = taskflowTask({
  kind: 'ner',
  summary: "[span, type] pairs (fast: LAC's PER/LOC/ORG/TIME; accurate: ten CLUENER2020 types)",
  modes: { fast: 'lac', accurate: 'fewprompt-cluener' },
  defaultMode: 'fast',
  load: async () => (await import('./task.js')).NerTask,
});

/**
 * The recipe's result as one line: dev F1 of the INT8 and FP32 bundles.
 * @example nerReport(r); // 'ner → runs/ner (600 steps; bundle …): CLUENER dev INT8 F1 71.30 (P …, R …), FP32 …'
 */
export function nerReport(r: NerTrainResult): string {
  const f1 = (name: string) => {
    const s = r.dev[name];
    return s ? `F1 ${pct(s.f1 * 100)} (P ${pct(s.precision * 100)}, R ${pct(s.recall * 100)})` : '—';
  };
  return `ner → ${r.out} (${r.steps} steps; bundle ${r.bundle}): CLUENER dev INT8 ${f1('int8')}, FP32 ${f1('fp32')}`;
}

/** `inference/taskflow/ner/`. */
export const NER_FAMILY = taskflowFamily({
  name: 'ner',
  tasks: [NER_TASK],
  recipes: [
    taskflowRecipe({
      kind: 'ner',
      summary: "mode accurate: token classification with LAC's tags on CLUENER2020, MSRA first",
      settings: NER_SETTINGS,
      train: async (options) => (await import('./train.js')).trainNer(options as Partial<NerTrainOptions>),
      report: nerReport,
    }),
  ],
});
