import type { Example, TaskDefaults } from '../base.js';
import { readId, requireString, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';
import { packagePath } from '../../framework/package-paths.js';

/**
 * EPRSTMT: `sentence` → `Negative` | `Positive`. Defaults: see `eprstmt/README.md`.
 *
 * @example
 * const task = new EprstmtTask();
 * task.load('train', { split: '0' })[0];
 * // => { id: 0, fields: { sentence: '物流很快，早上下单，…' }, label: 'Negative' }
 */
export class EprstmtTask extends FewClueTask {
  static override readonly kind = 'eprstmt';
  readonly kind = EprstmtTask.kind;
  readonly labels = ['Negative', 'Positive'] as const;
  readonly labelNames = { Negative: '差评', Positive: '好评' };
  readonly textFields = ['sentence'] as const;
  readonly defaults: TaskDefaults = {
    // PaddleNLP's first EPRSTMT pattern; of its six, the best mean dev accuracy over splits 0-4
    // (bench/results/fewclue-patterns-eprstmt.md).
    pet: { template: "{'text': 'sentence'}我{'mask'}喜欢。", verbalizer: { Negative: ['不'], Positive: ['很'] } },
    ptuning: {
      template: "{'mask'}{'soft': None, 'length': 6}{'text': 'sentence'}",
      verbalizer: { Negative: ['不'], Positive: ['很'] },
    },
    efl: {
      template: "这表达了{'text': 'candidate_label'}的情感。{'text': 'sentence'}",
      descriptions: { Negative: '不满意', Positive: '满意' },
    },
  };
  protected readonly submissionFile = 'eprstmt_predict.json';
  protected override readonly bundledDir = packagePath('datasets/fewclue/eprstmt/data/');

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    return {
      id: readId(r, where),
      fields: { sentence: requireString(r, 'sentence', where) },
      ...(labelled ? { label: requireString(r, 'label', where) } : {}),
    };
  }
}
