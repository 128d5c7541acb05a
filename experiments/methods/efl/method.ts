import { tf, tidyRead, type Tensor } from '../../../framework/backend/tf.js';
import { ConfigError } from '../../../framework/errors.js';
import { dropout } from '../../../framework/ops/dropout.js';
import { dense } from '../../../framework/ops/matmul.js';
import { SeededRandom } from '../../../framework/random.js';
import { PromptTemplate } from '../../../templates/index.js';
import { EflDescriptions } from '../../../verbalizers/index.js';
import type { Example, TaskDefinition } from '../../../datasets/base.js';
import { Method, inRowChunks, int2d, type MethodBatch, type MethodSetup } from '../base.js';
import type { PromptChoice, ResolvedPrompt } from '../definition.js';

/** The template field EFL fills with each label's description (or each multiple-choice candidate). */
export const EFL_PAIR_FIELD = 'candidate_label';

/**
 * EFL's prompt: the choice's pair template and descriptions, else the task's EFL defaults (multiple-choice tasks pair
 * with each example's candidates instead of descriptions).
 * @example eflPrompt({}, getTask('eprstmt')).descriptions; // → { Negative: '不满意', Positive: '满意' }
 */
export function eflPrompt(choice: PromptChoice, task: TaskDefinition): ResolvedPrompt {
  const d = task.defaults.efl;
  const descriptions = task.multipleChoice
    ? undefined
    : (choice.descriptions ?? (Object.keys(d.descriptions).length > 0 ? { ...d.descriptions } : undefined));
  return { template: choice.template ?? d.template, ...(descriptions ? { descriptions } : {}) };
}

export interface EflOptions {
  /** Pair template with a `candidate_label` text field; default: the task's EFL template. */
  template?: string;
  /** Label → description sentence; default: the task's. */
  descriptions?: Record<string, string>;
  /** Negative pairs sampled per training example (PaddleNLP's `negative_num`); default 1. */
  negativeNum?: number;
}

interface EflBatch extends MethodBatch {
  /** Labels (or candidates) per example in the rows' order; eval batches hold every label of every example. */
  perExample: number;
}

/**
 * EFL, "Entailment as Few-shot Learner" (Wang et al., 2021): every task becomes binary entailment between
 * the text and a description of a label, classified from `[CLS]`. Training pairs each example with its own
 * label's description (entail) and `negativeNum` sampled others (not entail); prediction takes the label
 * whose description is most probably entailed. Multiple-choice tasks put each candidate in `candidate_label`.
 * @example
 * const efl = new EflMethod({ model, tokenizer, task, maxSeqLen: 128, lr: 1e-5, seed: 42 }, { negativeNum: 2 });
 */
export class EflMethod extends Method<EflBatch> {
  readonly kind: string = 'efl';
  override readonly prompt: ResolvedPrompt;
  readonly template: PromptTemplate;
  readonly descriptions: EflDescriptions | undefined;
  readonly negativeNum: number;
  private readonly rng: SeededRandom;

  constructor(setup: MethodSetup, options: EflOptions = {}) {
    super(setup);
    this.prompt = eflPrompt(options, setup.task);
    this.template = PromptTemplate.fromString(this.prompt.template!, {
      maxSeqLen: setup.maxSeqLen,
      tokenizer: setup.tokenizer,
    });
    this.descriptions = setup.task.multipleChoice
      ? undefined
      : new EflDescriptions({ descriptions: this.prompt.descriptions ?? {} });
    if (this.descriptions) {
      const missing = setup.task.labels.filter((l) => !this.descriptions!.labels.includes(l));
      if (missing.length > 0)
        throw new ConfigError(
          `EFL descriptions are missing for label(s) ${missing.join(', ')} of task ${setup.task.kind}`,
        );
    }
    this.negativeNum = options.negativeNum ?? 1;
    this.rng = new SeededRandom(setup.seed * 7 + 1);
    const hidden = setup.model.config.hiddenSize;
    this.param('classifier.weight', [hidden, 2], 'normal', 1);
    this.param('classifier.bias', [2], 'zeros');
  }

  /** Label (or candidate) texts to pair an example with, in the task's label order. */
  private candidates(e: Example): string[] {
    const mc = this.setup.task.multipleChoice;
    if (mc) {
      const list = e.fields[mc.candidatesField];
      if (!Array.isArray(list))
        throw new ConfigError(`example ${e.id}: field ${mc.candidatesField} must list the candidates`);
      return list;
    }
    return this.setup.task.labels.map((l) => this.descriptions!.descriptions[l]!);
  }

  override trainingRowsPerExample(example: Example): number {
    return Math.min(this.candidates(example).length, 1 + this.negativeNum);
  }

  makeBatch(examples: Example[], training: boolean): EflBatch {
    const { tokenizer } = this.setup;
    const compiled = [];
    const targets: number[] = [];
    let perExample = 0;
    for (const e of examples) {
      const texts = this.candidates(e);
      const gold = this.labelOf(e);
      let chosen = texts.map((_, i) => i);
      if (training && gold !== undefined) {
        const others = this.rng.shuffle(chosen.filter((i) => i !== gold)).slice(0, this.negativeNum);
        chosen = [gold, ...others];
      }
      perExample = chosen.length;
      for (const i of chosen) {
        compiled.push(this.template.compile({ ...e.fields, [EFL_PAIR_FIELD]: texts[i]! }, tokenizer));
        targets.push(training ? (i === gold ? 1 : 0) : (gold ?? -1));
      }
    }
    const batch = this.template.collate(compiled, tokenizer.padId);
    return {
      tensors: [int2d(batch.inputIds), int2d(batch.tokenTypeIds), int2d(batch.positionIds), int2d(batch.attentionMask)],
      targets: tf.tensor1d(training ? targets : examples.map((e) => this.labelOf(e) ?? -1), 'int32'),
      perExample,
    };
  }

  /** Pair rows, not a row per example: soft pseudo-labels over the task's labels do not map onto them. */
  static override readonly softTargets: boolean = false;

  /** Pair logits [rows, 2] (not-entail, entail). */
  logits(batch: EflBatch, training: boolean, seed: number): Tensor {
    const { model } = this.setup;
    const [inputIds, tokenTypeIds, positionIds, attentionMask] = batch.tensors as [Tensor, Tensor, Tensor, Tensor];
    const offset = model.config.positionOffset;
    const hidden = model.encode(
      {
        inputIds,
        tokenTypeIds,
        attentionMask,
        positionIds: offset === 0 ? positionIds : tf.add(positionIds, tf.scalar(offset, 'int32')),
      },
      { training, seed },
    );
    const cls = model.parts.pooler ? model.pool(hidden) : tf.squeeze(tf.slice(hidden, [0, 0, 0], [-1, 1, -1]), [1]);
    const features = training ? dropout(cls, model.config.hiddenDropoutProb, seed + 17) : cls;
    return dense(features, this.own.get('classifier.weight')!, this.own.get('classifier.bias')!);
  }

  /**
   * log P(entail) of every label's (or candidate's) pair → [examples, labels]; the encoder sees at most SCORE_ROWS
   * pairs at a time.
   */
  override scores(batch: EflBatch): number[][] {
    return tidyRead(
      () => {
        const logits = inRowChunks(batch.tensors, (part) => this.logits({ ...batch, tensors: part }, false, 0));
        const pairs = tf.reshape(logits, [-1, batch.perExample, 2]);
        return tf.squeeze(tf.slice(tf.logSoftmax(pairs, -1), [0, 0, 1], [-1, -1, 1]), [2]);
      },
      (t) => t.arraySync() as number[][],
    );
  }
}
