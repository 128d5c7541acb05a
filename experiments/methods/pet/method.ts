import { tf, type Tensor } from '../../../framework/backend/tf.js';
import { ConfigError } from '../../../framework/errors.js';
import { PromptTemplate } from '../../../templates/index.js';
import type { CompiledBatch } from '../../../templates/base.js';
import { ManualVerbalizer, restrictedMaskLogits, type LabelWordNormalization } from '../../../verbalizers/index.js';
import { labelWordsOf, type Example, type TaskDefinition } from '../../../datasets/base.js';
import { Method, int2d, type MethodBatch, type MethodSetup } from '../base.js';
import type { PromptChoice, ResolvedPrompt } from '../definition.js';

/** Options of the masked-LM prompt methods (PET, P-Tuning). */
export interface PromptMethodOptions {
  /** Template in the PaddleNLP-style DSL; default: the task's own. */
  template?: string;
  /**
   * Label key → label words; default: the task's own. Ignored for multiple-choice tasks (the candidates are the
   * words).
   */
  labelWords?: Record<string, string[]>;
  /** How label-word scores are normalised (verbalizer option); default 'vocab', PaddleNLP's PET. */
  normalize?: LabelWordNormalization;
}

/**
 * A masked-LM prompt method's prompt: the choice's template and label words, else the task's defaults for `defaults`
 * (multiple-choice tasks have no fixed words: each example's candidates are scored).
 * @example maskedLmPrompt({}, getTask('eprstmt'), 'pet').labelWords; // → { Negative: ['不'], Positive: ['很'] }
 */
export function maskedLmPrompt(
  choice: PromptChoice,
  task: TaskDefinition,
  defaults: 'pet' | 'ptuning',
): ResolvedPrompt {
  const d = task.defaults[defaults];
  const labelWords = task.multipleChoice
    ? undefined
    : (choice.labelWords ?? (Object.keys(d.verbalizer).length > 0 ? labelWordsOf(d.verbalizer) : undefined));
  return { template: choice.template ?? d.template, ...(labelWords ? { labelWords } : {}) };
}

export interface PromptBatch extends MethodBatch {
  compiled: CompiledBatch;
  /** Multiple choice: candidate token ids per example [B, candidates, masks]. */
  candidates?: number[][][];
}

/**
 * PET (Schick & Schütze, 2021): a hard template with mask slots, a manual verbalizer mapping each label to
 * words, and cross-entropy over the label-word scores at the masks; every weight of the MLM trains.
 * Multiple-choice tasks (CHID) score each candidate as the sum of its characters' log-probabilities at the masks.
 * @example
 * const pet = new PetMethod({ model, tokenizer, task, maxSeqLen: 128, lr: 1e-5, seed: 42 });
 */
export class PetMethod extends Method<PromptBatch> {
  readonly kind: string = 'pet';
  readonly template: PromptTemplate;
  readonly verbalizer: ManualVerbalizer | undefined;
  override readonly prompt: ResolvedPrompt;

  constructor(setup: MethodSetup, options: PromptMethodOptions = {}, defaults: 'pet' | 'ptuning' = 'pet') {
    super(setup);
    this.prompt = maskedLmPrompt(options, setup.task, defaults);
    this.template = PromptTemplate.fromString(this.prompt.template!, {
      requireMask: true,
      maxSeqLen: setup.maxSeqLen,
      tokenizer: setup.tokenizer,
    });
    const numMasks = this.template.numMasks;
    if (setup.task.multipleChoice) {
      if (numMasks !== setup.task.multipleChoice.wordLength) {
        throw new ConfigError(
          `task ${setup.task.kind}: candidates are ${setup.task.multipleChoice.wordLength} characters ` +
            `but the template has ${numMasks} masks`,
        );
      }
      this.verbalizer = undefined;
    } else {
      this.verbalizer = new ManualVerbalizer(
        {
          labelWords: this.prompt.labelWords ?? {},
          numMasks,
          ...(options.normalize ? { normalize: options.normalize } : {}),
        },
        setup.tokenizer,
      );
      const missing = setup.task.labels.filter((l) => !this.verbalizer!.labels.includes(l));
      if (missing.length > 0)
        throw new ConfigError(`label words are missing for label(s) ${missing.join(', ')} of task ${setup.task.kind}`);
    }
  }

  makeBatch(examples: Example[]): PromptBatch {
    const { tokenizer, task } = this.setup;
    const compiled = this.template.collate(
      examples.map((e) => this.template.compile(e.fields, tokenizer)),
      tokenizer.padId,
    );
    const mc = task.multipleChoice;
    const candidates = mc
      ? examples.map((e) => {
          const list = e.fields[mc.candidatesField];
          if (!Array.isArray(list))
            throw new ConfigError(`example ${e.id}: field ${mc.candidatesField} must list the candidates`);
          return list.map((c) => tokenizer.convertTokensToIds(tokenizer.tokenize(c)).slice(0, mc.wordLength));
        })
      : undefined;
    const targets = examples.map((e) => this.labelOf(e) ?? -1);
    return {
      compiled,
      candidates,
      tensors: [
        int2d(compiled.inputIds),
        int2d(compiled.tokenTypeIds),
        int2d(compiled.positionIds),
        int2d(compiled.attentionMask),
        int2d(compiled.maskPositions),
      ],
      targets: tf.tensor1d(targets, 'int32'),
    };
  }

  /** Word embeddings for the batch; P-Tuning overrides this to splice in soft prompts. */
  protected inputsEmbeds(_batch: PromptBatch): Tensor | undefined {
    return undefined;
  }

  logits(batch: PromptBatch, training: boolean, seed: number): Tensor {
    const { model } = this.setup;
    const [inputIds, tokenTypeIds, positionIds, attentionMask, maskPositions] = batch.tensors as [
      Tensor,
      Tensor,
      Tensor,
      Tensor,
      Tensor,
    ];
    const offset = model.config.positionOffset;
    const hidden = model.encode(
      {
        inputIds,
        tokenTypeIds,
        attentionMask,
        inputsEmbeds: this.inputsEmbeds(batch),
        positionIds: offset === 0 ? positionIds : tf.add(positionIds, tf.scalar(offset, 'int32')),
      },
      { training, seed },
    );
    if (batch.candidates) return candidateScores(model, hidden, maskPositions, batch.candidates);
    const verbalizer = this.verbalizer!;
    const scores = verbalizer.labelScoresFromHidden(model, hidden, maskPositions);
    // Label order of the task, which may differ from the verbalizer's.
    const order = this.setup.task.labels.map((l) => verbalizer.labelIndex(l));
    return tf.gather(scores, tf.tensor1d(order, 'int32'), 1);
  }
}

/** Multiple choice: Σ over masks of log p(candidate's k-th token at mask k) → [B, candidates]. */
function candidateScores(
  model: MethodSetup['model'],
  hidden: Tensor,
  maskPositions: Tensor,
  candidates: number[][][],
): Tensor {
  const ids = [...new Set(candidates.flat(2))];
  const index = new Map(ids.map((id, i) => [id, i]));
  const logp = restrictedMaskLogits(model, hidden, maskPositions, ids, { normalize: 'vocab' }); // [B, M, K]
  const [batch, masks, k] = logp.shape as [number, number, number];
  const flatIndex = candidates.flatMap((cands, b) =>
    cands.flatMap((tokens) => tokens.map((tok, m) => (b * masks + m) * k + index.get(tok)!)),
  );
  const picked = tf.gather(tf.reshape(logp, [-1]), tf.tensor1d(flatIndex, 'int32'));
  return tf.sum(tf.reshape(picked, [batch, candidates[0]!.length, masks]), 2);
}
