import { maskedLmPrompt } from '../pet/method.js';
import type { MethodDefinition } from '../definition.js';
import { ptuningHead } from './head.js';
import { PTuningMethod } from './method.js';

export { ptuningHead } from './head.js';
export { PTuningMethod } from './method.js';

/** P-Tuning: PET with continuous prompt tokens through an LSTM/MLP prompt encoder. */
export const ptuning: MethodDefinition = {
  kind: 'ptuning',
  summary: 'P-Tuning: continuous prompt tokens through a prompt encoder, label words at the masks (Liu et al., 2021)',
  softTargets: PTuningMethod.softTargets,
  usesMlmHead: true,
  resolvePrompt: (choice, task) => maskedLmPrompt(choice, task, 'ptuning'),
  create: (setup, options) => new PTuningMethod(setup, options),
  head: ptuningHead,
};
