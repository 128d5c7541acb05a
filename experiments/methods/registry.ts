import { ConfigError, UnknownKindError } from '../../framework/errors.js';
import type { MethodSpec } from '../../inference/export/method-spec.js';
import type { Method, MethodBatch, MethodSetup } from './base.js';
import type { MethodDefinition, MethodOptions } from './definition.js';
import { efl } from './efl/index.js';
import { finetune } from './finetune/index.js';
import { pet } from './pet/index.js';
import { ptuning } from './ptuning/index.js';

const registry = new Map<string, MethodDefinition>();

/** Kinds are lower-case words: they appear in suite job ids, file names and report columns. */
const KIND = /^[a-z][a-z0-9_]*$/;

/**
 * Adds a method to the registry; the config schema, `--method`, the suite and export accept it from then on.
 * Returns a function that removes it again (for tests).
 * @example
 * const unregister = registerMethod({ kind: 'toy', summary: '…', softTargets: true, resolvePrompt, create, head });
 */
export function registerMethod(definition: MethodDefinition): () => void {
  if (!KIND.test(definition.kind))
    throw new ConfigError(`method kind '${definition.kind}' must be a lower-case word (${KIND.source})`);
  if (registry.has(definition.kind)) throw new ConfigError(`method '${definition.kind}' is already registered`);
  registry.set(definition.kind, definition);
  return () => {
    if (registry.get(definition.kind) === definition) registry.delete(definition.kind);
  };
}

// The one list of built-in methods.
for (const definition of [pet, ptuning, efl, finetune]) registerMethod(definition);

/** Every registered method kind, in registration order. */
export function methodKinds(): string[] {
  return [...registry.keys()];
}

/** A registered method's definition, or UnknownKindError listing the valid kinds. */
export function getMethod(kind: string): MethodDefinition {
  const definition = registry.get(kind);
  if (!definition) throw new UnknownKindError('method', kind, methodKinds());
  return definition;
}

/**
 * Builds a method by kind.
 * @example
 * const method = createMethod('pet', { model, tokenizer, task, maxSeqLen: 128, lr: 1e-5, seed: 42 });
 */
export function createMethod(kind: string, setup: MethodSetup, options: MethodOptions = {}): Method<MethodBatch> {
  return getMethod(kind).create(setup, options);
}

/**
 * Rebuilds a method from its `getConfig()` (`method.json`): the same kind, input limit and prompt.
 * @example
 * methodFromConfig(method.getConfig(), { model, tokenizer, task, lr: 1e-5, seed: 42 }).getConfig(); // equal
 */
export function methodFromConfig(
  spec: MethodSpec,
  setup: Omit<MethodSetup, 'maxSeqLen'>,
  options: Omit<MethodOptions, keyof MethodSpec> = {},
): Method<MethodBatch> {
  const { template, labelWords, descriptions } = spec;
  return createMethod(
    spec.kind,
    { ...setup, maxSeqLen: spec.maxSeqLen },
    {
      ...options,
      template,
      labelWords,
      descriptions,
    },
  );
}
