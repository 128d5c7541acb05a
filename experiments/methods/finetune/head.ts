import type { ClassifierHead } from '../../../inference/export/bundle.js';
import { clsClassifierHead } from '../../../inference/export/heads.js';

/**
 * Fine-tuning's export head: `[CLS]` (through the pooler when the model has one) → the trained linear classifier.
 * @example await exportBundle(readRunSpec('runs/finetune'), finetuneHead, 'bundles/finetune');
 */
export const finetuneHead: ClassifierHead = ({ spec, methodWeights }) => ({
  emit: (bert, hidden) => clsClassifierHead(bert, hidden, methodWeights, spec.labels.length),
});
