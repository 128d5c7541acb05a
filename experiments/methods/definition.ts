import type { ClassifierHead } from '../../inference/export/bundle.js';
import type { TaskDefinition } from '../../datasets/base.js';
import type { Method, MethodBatch, MethodSetup } from './base.js';

/** The prompt fields a run may set; what it leaves out comes from the task's defaults for the method. */
export interface PromptChoice {
  readonly template?: string | undefined;
  readonly labelWords?: Record<string, string[]> | undefined;
  readonly descriptions?: Record<string, string> | undefined;
}

/** A prompt with the task's defaults filled in: what the method trains with and `method.json` pins. */
export interface ResolvedPrompt {
  template?: string;
  labelWords?: Record<string, string[]>;
  descriptions?: Record<string, string>;
}

/** Options any method accepts (each reads the ones it knows). */
export interface MethodOptions extends PromptChoice {
  /** EFL: negative pairs sampled per training example. */
  readonly negativeNum?: number | undefined;
}

/**
 * Everything fewprompt knows about a training method, in one place: the config schema, the CLI's choices, the suite,
 * `method.json` and export all derive from the registered definitions (registry.ts). A method is one folder
 * (`experiments/methods/<kind>/`: its tfjs scoring, its export head, this definition) plus one registry line.
 */
export interface MethodDefinition {
  /** The one spelling of the method everywhere: config `method`, CLI `--method`, `method.json` `kind`. */
  readonly kind: string;
  /** One line for `--help`. */
  readonly summary: string;
  /**
   * Whether the method's logits are one row per example and one column per label, so it can learn from soft targets
   * (self-training on pseudo-labels); EFL's rows are (example, label) pairs.
   */
  readonly softTargets: boolean;
  /**
   * Whether the method scores with the masked-LM head (PET's and P-Tuning's label words). Methods that do not (EFL,
   * fine-tuning) load any encoder, one without an MLM head or pooler too (e.g. an ELECTRA discriminator).
   */
  readonly usesMlmHead: boolean;
  /** The prompt the method trains with: `choice` with the task's defaults for this method filled in. */
  resolvePrompt(choice: PromptChoice, task: TaskDefinition): ResolvedPrompt;
  /** The trainable method. */
  create(setup: MethodSetup, options: MethodOptions): Method<MethodBatch>;
  /** Its export head: how a trained run becomes an ONNX classifier. */
  readonly head: ClassifierHead;
}
