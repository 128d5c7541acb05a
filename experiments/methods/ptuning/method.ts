import { tf, type Tensor } from '../../../framework/backend/tf.js';
import type { SoftTable } from '../../../templates/base.js';
import type { MethodSetup } from '../base.js';
import { PetMethod, type PromptBatch, type PromptMethodOptions } from '../pet/method.js';
import { PromptEncoder } from '../../../templates/prompt-encoder.js';

/**
 * P-Tuning (Liu et al., 2021): the template's soft tokens are continuous embeddings — initialised from the
 * init text's word embeddings or at random — reparameterised by an LSTM or MLP prompt encoder and trained
 * at their own learning rate (`promptLr`), spliced into the input in place of the placeholder tokens. The
 * masks and verbalizer work as in PET.
 * @example
 * const pt = new PTuningMethod({ model, tokenizer, task, maxSeqLen: 128, lr: 1e-5, promptLr: 3e-4, seed: 42 });
 */
export class PTuningMethod extends PetMethod {
  override readonly kind: string = 'ptuning';
  readonly softTable: SoftTable;
  private readonly encoder: PromptEncoder;

  constructor(setup: MethodSetup, options: PromptMethodOptions = {}) {
    super(setup, options, 'ptuning');
    this.softTable = this.template.softTableFor(setup.tokenizer);
    const { hiddenSize } = setup.model.config;
    const words = setup.model.params.get('embeddings.word_embeddings.weight');
    const init = tf.tidy(() => {
      const random = tf.mul(
        tf.randomNormal([this.softTable.initTokenIds.length, hiddenSize], 0, 1, 'float32', setup.seed + 11),
        0.02,
      );
      const ids = this.softTable.initTokenIds.map((id) => Math.max(id, 0));
      const fromWords = tf.gather(words, tf.tensor1d(ids, 'int32'));
      const useWords = tf.reshape(tf.tensor1d(this.softTable.initTokenIds.map((id) => (id >= 0 ? 1 : 0))), [-1, 1]);
      return tf.add(tf.mul(fromWords, useWords), tf.mul(random, tf.sub(1, useWords)));
    });
    this.param('prompt.embeddings', init.shape, init);
    init.dispose();
    this.encoder = new PromptEncoder(
      this.softTable.encoder,
      hiddenSize,
      this.softTable.hiddenSize ?? hiddenSize,
      (name, shape, how) => this.param(`prompt.encoder.${name}`, shape, how, 13),
    );
  }

  protected override inputsEmbeds(batch: PromptBatch): Tensor {
    const { model } = this.setup;
    const { inputIds, softPositions, softIds } = batch.compiled;
    const [rows, cols] = [inputIds.length, inputIds[0]!.length];
    // Per position: which soft row (0 elsewhere) and whether it is soft at all.
    const index = new Int32Array(rows * cols);
    const isSoft = new Float32Array(rows * cols);
    softPositions.forEach((positions, b) =>
      positions.forEach((p, k) => {
        if (p < 0 || p >= cols) return; // collate pads with -1
        index[b * cols + p] = softIds[b]![k]!;
        isSoft[b * cols + p] = 1;
      }),
    );
    const table = this.encoder.encode(
      this.own.get('prompt.embeddings')!,
      (name) => this.own.get(`prompt.encoder.${name}`)!,
    );
    const words = tf.gather(
      model.params.get('embeddings.word_embeddings.weight'),
      tf.tensor1d(inputIds.flat(), 'int32'),
    );
    const soft = tf.gather(table, tf.tensor1d(index, 'int32'));
    const m = tf.tensor2d(isSoft, [rows * cols, 1]);
    return tf.reshape(tf.add(tf.mul(words, tf.sub(1, m)), tf.mul(soft, m)), [rows, cols, -1]);
  }
}
