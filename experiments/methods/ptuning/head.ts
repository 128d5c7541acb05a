import { softPromptRows, type ClassifierHead } from '../../../inference/export/bundle.js';
import { petHead } from '../pet/head.js';

/**
 * P-Tuning's export head: PET's, plus the soft prompt computed once through the trained prompt encoder and appended to
 * the vocabulary (soft slot k is fed as id `vocabSize + k`).
 * @example await exportBundle(readRunSpec('runs/ptuning'), ptuningHead, 'bundles/ptuning');
 */
export const ptuningHead: ClassifierHead = (context) => {
  const plan = petHead(context);
  const { tokenizer, methodWeights, config } = context;
  return { ...plan, softRows: softPromptRows(plan.template!, tokenizer, methodWeights, config.hiddenSize) };
};
