/**
 * The `text_correction` family as data: its task and its two recipes — the network, and the character n-gram models
 * with the rule that joins them to it (tuned on the exported network, so run second).
 */
import { taskflowFamily, taskflowRecipe, taskflowTask } from '../family.js';
import { pct } from '../train-settings.js';
import type { CorrectionLmResult } from './lm-train.js';
import type { TextCorrectionTrainResult } from './train.js';
import {
  CORRECTION_LM_SETTINGS,
  type CorrectionLmOptions,
  TEXT_CORRECTION_SETTINGS,
  type TextCorrectionTrainOptions,
} from './train-options.js';

export const TEXT_CORRECTION_TASK = taskflowTask({
  kind: 'text_correction',
  summary: 'spelling correction: the corrected text and each change (confusion sets, or the whole vocabulary)',
  modes: { confusion: 'fewprompt-csc-mini', vocab: 'fewprompt-csc-mini' },
  defaultMode: 'confusion',
  load: async () => (await import('./task.js')).TextCorrectionTask,
});

/**
 * The network recipe's result as one line: its steps and SIGHAN-2015 test correction F1 per mode.
 * @example textCorrectionReport(r); // 'text_correction → runs/csc: 2400 steps in 31.2 min; SIGHAN-2015 test …'
 */
export function textCorrectionReport(r: TextCorrectionTrainResult): string {
  const trained = r.train ? `: ${r.train.steps} steps in ${r.train.minutes.toFixed(1)} min` : '';
  const f1 = (mode: string) => pct(r.test?.[mode] && r.test[mode].correction.f1 * 100);
  const test = r.test ? `; SIGHAN-2015 test correction F1 ${f1('confusion')} (confusion), ${f1('vocab')} (vocab)` : '';
  return `text_correction → ${r.out}${trained}${test}${r.bundle ? `; copied to ${r.bundle}` : ''}`;
}

/**
 * The n-gram recipe's result as one line: where the models went and the rule's dev F1.
 * @example correctionLmReport(r); // 'text_correction_lm → runs/csc-lm; rule chosen on dev, correction F1 …'
 */
export function correctionLmReport(r: CorrectionLmResult): string {
  const dev = r.choice && r.choice.dev.confusion.correction.f1 * 100;
  const rule = r.choice ? `; rule chosen on dev, correction F1 ${pct(dev)} (confusion)` : '';
  return `text_correction_lm → ${r.lm}${rule}${r.bundle ? `; written to ${r.bundle}` : ''}`;
}

/** `inference/taskflow/text-correction/`. */
export const TEXT_CORRECTION_FAMILY = taskflowFamily({
  name: 'text-correction',
  tasks: [TEXT_CORRECTION_TASK],
  recipes: [
    taskflowRecipe({
      kind: 'text_correction',
      summary: 'spelling corrector network on SIGHAN 2013-15 and synthetic errors, scored on SIGHAN-2015 test',
      settings: TEXT_CORRECTION_SETTINGS,
      train: async (options) =>
        (await import('./train.js')).trainTextCorrection(options as Partial<TextCorrectionTrainOptions>),
      report: textCorrectionReport,
    }),
    taskflowRecipe({
      kind: 'text_correction_lm',
      summary:
        "the spelling corrector's character n-gram models and the rule joining them to its network; run after " +
        'text_correction',
      settings: CORRECTION_LM_SETTINGS,
      train: async (options) =>
        (await import('./lm-train.js')).buildCorrectionLm(options as Partial<CorrectionLmOptions>),
      report: correctionLmReport,
    }),
  ],
});
