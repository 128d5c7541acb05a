/** BUSTM (XiaoBu dialogue short-text matching): do two utterances mean the same? `1` yes, `0` no. */
import type { Example, TaskDefaults } from '../base.js';
import { readId, requireString, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';

/**
 * BUSTM: `sentence1`, `sentence2` → `0` (different meaning) | `1` (same meaning).
 *
 * @example
 * new BustmTask({ dataDir: '../shared/fewclue' }).load('train')[0];
 * // => { id: 0, fields: { sentence1: '叫爸爸叫一声我听听', sentence2: '那你叫我一声爸爸' }, label: '1' }
 */
export class BustmTask extends FewClueTask {
  static override readonly kind = 'bustm';
  readonly kind = BustmTask.kind;
  readonly labels = ['0', '1'] as const;
  readonly labelNames = { '0': '意思不同', '1': '意思相同' };
  readonly textFields = ['sentence1', 'sentence2'] as const;
  readonly defaults: TaskDefaults = {
    pet: {
      template: "“{'text': 'sentence1'}”和“{'text': 'sentence2'}”说的是{'mask'}同的事情。",
      verbalizer: { '0': ['不'], '1': ['相'] },
    },
    ptuning: {
      template: "{'mask'}{'soft': None, 'length': 6}{'text': 'sentence1'}{'sep'}{'text': 'sentence2'}",
      verbalizer: { '0': ['不'], '1': ['很'] },
    },
    efl: {
      template: "{'text': 'sentence1'}{'sep'}{'text': 'candidate_label'}：{'text': 'sentence2'}",
      descriptions: { '0': '意思不同的一句话', '1': '意思相同的一句话' },
    },
  };
  protected readonly submissionFile = 'bustm_predict.json';

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    return {
      id: readId(r, where),
      fields: { sentence1: requireString(r, 'sentence1', where), sentence2: requireString(r, 'sentence2', where) },
      ...(labelled ? { label: requireString(r, 'label', where) } : {}),
    };
  }
}
