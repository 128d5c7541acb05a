import { SeededRandom } from '../../framework/random.js';
import {
  TaskDefinition,
  type Example,
  type Part,
  type SubmissionFormat,
  type TaskConfig,
  type TaskDefaults,
} from '../../datasets/base.js';

/** Filler characters (all single tokens in the bert-base-chinese vocab). */
const FILLER =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经';

/**
 * A sentiment-like task with a lexical cue: positive texts contain 好 somewhere, negative ones 差, in
 * random filler. Any method that learns at all reaches ~100% on it; used to prove learning in tests.
 * The label words (正/负) are not the cue words on purpose: in a *random* model the decoder is tied to
 * the input embeddings, and training 好/差 as label words moves the very embeddings the encoder must learn
 * to find, which stalls learning (measured: 64–75% instead of 95%+); a pretrained model has no such problem.
 */
export class SyntheticCueTask extends TaskDefinition {
  static override readonly kind = 'synthetic-cue';
  readonly kind = SyntheticCueTask.kind;
  readonly labels = ['Positive', 'Negative'] as const;
  readonly labelNames = { Positive: '正面', Negative: '负面' };
  readonly textFields = ['sentence'] as const;
  readonly defaults: TaskDefaults = {
    pet: { template: "{'text': 'sentence'}这很{'mask'}。", verbalizer: { Positive: ['正'], Negative: ['负'] } },
    ptuning: {
      template: "{'soft': None, 'length': 2}{'text': 'sentence'}{'mask'}",
      verbalizer: { Positive: ['正'], Negative: ['负'] },
    },
    efl: {
      template: "{'text': 'sentence'}{'sep'}{'text': 'candidate_label'}",
      descriptions: { Positive: '这是好评', Negative: '这是差评' },
    },
  };
  readonly submission: SubmissionFormat = {
    fileName: 'synthetic_predict.json',
    labelKey: 'label',
    labelType: 'string',
  };

  constructor(
    readonly sizes: Partial<Record<Part, number>> = {},
    readonly seed = 1,
  ) {
    super();
  }

  load(part: Part): Example[] {
    const n = this.sizes[part] ?? (part === 'train' ? 32 : 32);
    const r = new SeededRandom(this.seed * 31 + ['train', 'dev', 'test_public', 'test', 'unlabeled'].indexOf(part));
    return Array.from({ length: n }, (_, id) => {
      const positive = r.next() < 0.5;
      const chars = Array.from({ length: 6 + r.int(6) }, () => FILLER[r.int(FILLER.length)]!);
      chars.splice(r.int(chars.length + 1), 0, positive ? '好' : '差');
      return {
        id,
        fields: { sentence: chars.join('') },
        label: part === 'test' || part === 'unlabeled' ? undefined : positive ? 'Positive' : 'Negative',
      };
    });
  }

  getConfig(): TaskConfig & { sizes: Partial<Record<Part, number>>; seed: number } {
    return { type: this.kind, sizes: this.sizes, seed: this.seed };
  }
}
