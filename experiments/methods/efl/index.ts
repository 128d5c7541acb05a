import type { MethodDefinition } from '../definition.js';
import { eflHead } from './head.js';
import { EflMethod, eflPrompt } from './method.js';

export { eflHead } from './head.js';
export { EFL_PAIR_FIELD, EflMethod, eflPrompt, type EflOptions } from './method.js';

/** EFL: each label becomes a description the text may entail; a binary entailment classifier on `[CLS]`. */
export const efl: MethodDefinition = {
  kind: 'efl',
  summary: 'EFL: entailment between the text and each label description (Wang et al., 2021)',
  softTargets: EflMethod.softTargets,
  usesMlmHead: false,
  resolvePrompt: eflPrompt,
  create: (setup, options) => new EflMethod(setup, options),
  head: eflHead,
};
