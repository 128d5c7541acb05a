import type { MethodDefinition } from '../definition.js';
import { finetuneHead } from './head.js';
import { FinetuneMethod } from './method.js';

export { finetuneHead } from './head.js';
export { FinetuneMethod } from './method.js';

/** Standard fine-tuning: `[CLS]` → linear classifier; no prompt. */
export const finetune: MethodDefinition = {
  kind: 'finetune',
  summary: 'fine-tuning: [CLS] → linear classifier (the baseline)',
  softTargets: FinetuneMethod.softTargets,
  usesMlmHead: false,
  resolvePrompt: () => ({}),
  create: (setup) => new FinetuneMethod(setup),
  head: finetuneHead,
};
