/** OCNLI (Original Chinese NLI): does the premise entail, contradict, or say nothing about the hypothesis? */
import type { Example, TaskDefaults } from '../base.js';
import { readId, requireString, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';

/**
 * OCNLI: `sentence1` (premise), `sentence2` (hypothesis) → `contradiction` | `entailment` | `neutral`.
 * `genre`, `level` and `prem_id` are kept in `meta` where present.
 *
 * @example
 * new OcnliTask({ dataDir: '../shared/fewclue' }).load('train')[0].label; // => 'neutral'
 */
export class OcnliTask extends FewClueTask {
  static override readonly kind = 'ocnli';
  readonly kind = OcnliTask.kind;
  readonly labels = ['contradiction', 'entailment', 'neutral'] as const;
  readonly labelNames = { contradiction: '矛盾', entailment: '蕴含', neutral: '中立' };
  readonly textFields = ['sentence1', 'sentence2'] as const;
  readonly defaults: TaskDefaults = {
    pet: {
      template: "“{'text': 'sentence1'}”和“{'text': 'sentence2'}”之间的逻辑关系是{'mask'}{'mask'}",
      verbalizer: { contradiction: ['矛盾'], entailment: ['蕴含'], neutral: ['中立'] },
    },
    ptuning: {
      template: "{'mask'}{'soft': None, 'length': 6}{'text': 'sentence1'}{'sep'}{'text': 'sentence2'}",
      verbalizer: { contradiction: ['不'], entailment: ['很'], neutral: ['无'] },
    },
    efl: {
      template: "{'text': 'sentence1'}{'sep'}{'text': 'candidate_label'}：{'text': 'sentence2'}",
      descriptions: { contradiction: '与之矛盾', entailment: '可以推出', neutral: '无法判断' },
    },
  };
  protected readonly submissionFile = 'ocnlif_predict.json';

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    const meta: Record<string, unknown> = {};
    for (const k of ['genre', 'level', 'prem_id']) if (typeof r[k] === 'string') meta[k] = r[k];
    return {
      id: readId(r, where),
      fields: { sentence1: requireString(r, 'sentence1', where), sentence2: requireString(r, 'sentence2', where) },
      ...(labelled ? { label: requireString(r, 'label', where) } : {}),
      ...(Object.keys(meta).length > 0 ? { meta } : {}),
    };
  }
}
