import { tf, type Tensor } from '../../../framework/backend/tf.js';
import { dropout } from '../../../framework/ops/dropout.js';
import { dense } from '../../../framework/ops/matmul.js';
import type { Example } from '../../../datasets/base.js';
import { Method, fieldText, inRowChunks, int2d, type MethodBatch, type MethodSetup } from '../base.js';

interface FinetuneBatch extends MethodBatch {
  /** Rows per example: 1 for classification, the candidate count for multiple choice. */
  rowsPerExample: number;
}

/**
 * Standard fine-tuning, the baseline every report compares against: the `[CLS]` representation (through
 * the pooler when the model has one) → dropout → linear classifier. Sentence-pair tasks encode both texts
 * as a pair; multiple-choice tasks (CHID) score each candidate filled into the text with one logit and
 * take a softmax over the candidates.
 * @example
 * const method = new FinetuneMethod({ model, tokenizer, task, maxSeqLen: 128, lr: 2e-5, seed: 42 });
 * await new Trainer(method, { epochs: 10, batchSize: 8, seed: 42 }).fit(train, dev);
 */
export class FinetuneMethod extends Method<FinetuneBatch> {
  readonly kind: string = 'finetune';
  private readonly outputs: number;

  constructor(setup: MethodSetup) {
    super(setup);
    const hidden = setup.model.config.hiddenSize;
    this.outputs = setup.task.multipleChoice ? 1 : setup.task.labels.length;
    this.param('classifier.weight', [hidden, this.outputs], 'normal', 1);
    this.param('classifier.bias', [this.outputs], 'zeros');
  }

  override trainingRowsPerExample(example: Example): number {
    const mc = this.setup.task.multipleChoice;
    const candidates = mc ? example.fields[mc.candidatesField] : undefined;
    return Array.isArray(candidates) ? candidates.length : 1;
  }

  makeBatch(examples: Example[]): FinetuneBatch {
    const { tokenizer, task, maxSeqLen } = this.setup;
    const mc = task.multipleChoice;
    let pairs: [string, string][] | string[];
    let rowsPerExample = 1;
    if (mc) {
      const rows = examples.map((e) => {
        const candidates = e.fields[mc.candidatesField];
        if (!Array.isArray(candidates))
          throw new Error(`example ${e.id}: field ${mc.candidatesField} must be a list of candidates`);
        return candidates.map((c) => fieldText(e.fields[task.textFields[0]!]).replace('#idiom#', c));
      });
      rowsPerExample = rows[0]?.length ?? 1;
      pairs = rows.flat();
    } else if (task.textFields.length >= 2) {
      pairs = examples.map(
        (e) => [fieldText(e.fields[task.textFields[0]!]), fieldText(e.fields[task.textFields[1]!])] as [string, string],
      );
    } else {
      pairs = examples.map((e) => fieldText(e.fields[task.textFields[0]!]));
    }
    const enc = tokenizer.encodeBatch(pairs, { maxLength: maxSeqLen, truncation: 'longest_first', padding: 'longest' });
    const targets = examples.map((e) => this.labelOf(e) ?? -1);
    return {
      tensors: [
        int2d(enc.map((x) => x.inputIds)),
        int2d(enc.map((x) => x.tokenTypeIds)),
        int2d(enc.map((x) => x.attentionMask)),
      ],
      targets: tf.tensor1d(targets, 'int32'),
      rowsPerExample,
    };
  }

  logits(batch: FinetuneBatch, training: boolean, seed: number): Tensor {
    // Multiple choice scores a row per candidate (CHID: 7 per example): in eval, at most SCORE_ROWS rows per pass.
    const out = training
      ? this.rowLogits(batch.tensors, true, seed)
      : inRowChunks(batch.tensors, (part) => this.rowLogits(part, false, seed));
    return batch.rowsPerExample > 1 ? tf.reshape(out, [-1, batch.rowsPerExample]) : out;
  }

  /** Classifier outputs [rows, outputs] of encoder rows (input ids, token types, attention mask). */
  private rowLogits(tensors: readonly Tensor[], training: boolean, seed: number): Tensor {
    const { model } = this.setup;
    const [inputIds, tokenTypeIds, attentionMask] = tensors as [Tensor, Tensor, Tensor];
    const hidden = model.encode({ inputIds, tokenTypeIds, attentionMask }, { training, seed });
    const cls = model.parts.pooler ? model.pool(hidden) : tf.squeeze(tf.slice(hidden, [0, 0, 0], [-1, 1, -1]), [1]);
    const features = training ? dropout(cls, model.config.hiddenDropoutProb, seed + 17) : cls;
    return dense(features, this.own.get('classifier.weight')!, this.own.get('classifier.bias')!);
  }
}
