import type { MethodDefinition } from '../definition.js';
import { petHead } from './head.js';
import { maskedLmPrompt, PetMethod } from './method.js';

export { petHead } from './head.js';
export { maskedLmPrompt, PetMethod, type PromptBatch, type PromptMethodOptions } from './method.js';

/** PET: a hard template with masks and a verbalizer; the whole masked LM trains on the label words' scores. */
export const pet: MethodDefinition = {
  kind: 'pet',
  summary: 'PET: hard prompt template + label words scored at the masks (Schick & Schütze, 2021)',
  softTargets: PetMethod.softTargets,
  usesMlmHead: true,
  resolvePrompt: (choice, task) => maskedLmPrompt(choice, task, 'pet'),
  create: (setup, options) => new PetMethod(setup, options),
  head: petHead,
};
