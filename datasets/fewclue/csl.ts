/**
 * CSL (Chinese Scientific Literature keywords): are all of these keywords really the paper's? `1` yes,
 * `0` no (some are fake). The keyword list stays a list (`keywords`) and is also joined with `，`
 * (`keyword`) for templates, which read text.
 */
import type { Example, TaskDefaults } from '../base.js';
import { readId, requireString, requireStringList, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';

/** Separator used to join CSL keywords into the `keyword` text field. */
export const CSL_KEYWORD_SEPARATOR = '，';

/**
 * CSL: `abst` (abstract) + `keywords` (list) → `0` (keywords not all real) | `1` (all real).
 *
 * @example
 * new CslTask({ dataDir: '../shared/fewclue' }).load('test_public')[0].fields;
 * // => { abst: '免疫磁珠是免疫微球的一种,…', keywords: ['综述', '循环肿瘤细胞', '免疫磁珠技术'], keyword: '综述，循环肿瘤细胞，免疫磁珠技术' }
 */
export class CslTask extends FewClueTask {
  static override readonly kind = 'csl';
  readonly kind = CslTask.kind;
  readonly labels = ['0', '1'] as const;
  readonly labelNames = { '0': '关键词不全是论文的', '1': '关键词都是论文的' };
  readonly textFields = ['keyword', 'abst'] as const;
  readonly defaults: TaskDefaults = {
    pet: {
      template: "给定以下几个词语：{'text': 'keyword'}{'mask'}{'mask'}扩写成“{'text': 'abst'}”",
      verbalizer: { '0': ['不能'], '1': ['可以'] },
    },
    ptuning: {
      template: "{'mask'}{'soft': None, 'length': 6}本文关键词有{'text': 'keyword'}{'sep'}{'text': 'abst'}",
      verbalizer: { '0': ['不'], '1': ['很'] },
    },
    efl: {
      template: "{'text': 'abst'}{'sep'}{'text': 'candidate_label'}：{'text': 'keyword'}",
      descriptions: { '0': '本文的关键词不是', '1': '本文的关键词是' },
    },
  };
  protected readonly submissionFile = 'cslf_predict.json';

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    const keywords = requireStringList(r, 'keyword', where);
    return {
      id: readId(r, where),
      fields: { abst: requireString(r, 'abst', where), keywords, keyword: keywords.join(CSL_KEYWORD_SEPARATOR) },
      ...(labelled ? { label: requireString(r, 'label', where) } : {}),
    };
  }
}
