import { UnknownKindError } from '../../framework/errors.js';
import type { Method, MethodBatch, MethodSetup } from './base.js';
import { EflMethod, type EflOptions } from './efl.js';
import { FinetuneMethod } from './finetune.js';
import { PetMethod, type PromptMethodOptions } from './pet.js';
import { PTuningMethod } from './ptuning.js';

export { Method, type MethodSetup, type MethodBatch } from './base.js';
export { PetMethod, type PromptMethodOptions } from './pet.js';
export { PTuningMethod } from './ptuning.js';
export { EflMethod, type EflOptions } from './efl.js';
export { FinetuneMethod } from './finetune.js';

/** Options any method accepts (each reads the ones it knows). */
export type MethodOptions = PromptMethodOptions & EflOptions;

interface MethodEntry {
  readonly kind: string;
  create(setup: MethodSetup, options: MethodOptions): Method<MethodBatch>;
}

/** Every training method; a new method is one file plus one entry here. */
export const METHODS: readonly MethodEntry[] = [
  { kind: PetMethod.kind, create: (s, o) => new PetMethod(s, o) },
  { kind: PTuningMethod.kind, create: (s, o) => new PTuningMethod(s, o) },
  { kind: EflMethod.kind, create: (s, o) => new EflMethod(s, o) },
  { kind: FinetuneMethod.kind, create: (s) => new FinetuneMethod(s) },
];

export const METHOD_KINDS: readonly string[] = METHODS.map((m) => m.kind);
if (new Set(METHOD_KINDS).size !== METHOD_KINDS.length)
  throw new Error(`duplicate method kinds in ${METHOD_KINDS.join(', ')}`);

/**
 * Builds a method by kind.
 * @example
 * const method = createMethod('pet', { model, tokenizer, task, maxSeqLen: 128, lr: 1e-5, seed: 42 });
 */
export function createMethod(kind: string, setup: MethodSetup, options: MethodOptions = {}): Method<MethodBatch> {
  const entry = METHODS.find((m) => m.kind === kind);
  if (!entry) throw new UnknownKindError('method', kind, METHOD_KINDS);
  return entry.create(setup, options);
}
