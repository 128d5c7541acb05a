export { Method, type MethodBatch, type MethodPrediction, type MethodSetup } from './base.js';
export type { MethodDefinition, MethodOptions, PromptChoice, ResolvedPrompt } from './definition.js';
export { createMethod, getMethod, methodFromConfig, methodKinds, registerMethod } from './registry.js';
export { pet, PetMethod, petHead, maskedLmPrompt, type PromptMethodOptions } from './pet/index.js';
export { ptuning, PTuningMethod, ptuningHead } from './ptuning/index.js';
export { efl, EflMethod, eflHead, eflPrompt, EFL_PAIR_FIELD, type EflOptions } from './efl/index.js';
export { finetune, FinetuneMethod, finetuneHead } from './finetune/index.js';
