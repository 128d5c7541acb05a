/**
 * ChnSentiCorp (hotel, book and electronics reviews; binary sentiment) as a task: TSV files
 * `chnsenticorp_{train,dev,test}.tsv` with a `label<TAB>text_a` header, labels `0` (negative) and
 * `1` (positive), 9,600 / 1,200 / 1,200 rows. The data is not bundled; pass its folder.
 */
import { join } from 'node:path';
import { CustomTask } from '../custom-task.js';
import type { TaskDefaults } from '../base.js';

/** Label keys as written in the files. */
export const CHNSENTICORP_LABELS = ['0', '1'] as const;

/** Taskflow's names for the label keys. */
export const CHNSENTICORP_LABEL_NAMES: Readonly<Record<string, string>> = { 0: 'negative', 1: 'positive' };

/** Default prompts (EPRSTMT's, which the shipped model was tuned with). */
export const CHNSENTICORP_DEFAULTS: TaskDefaults = {
  pet: { template: "{'text': 'text_a'}这句话表示我{'mask'}满意。", verbalizer: { 0: ['不'], 1: ['很'] } },
  ptuning: { template: "{'mask'}{'soft': None, 'length': 6}{'text': 'text_a'}", verbalizer: { 0: ['不'], 1: ['很'] } },
  efl: {
    template: "这表达了{'text': 'candidate_label'}的情感。{'text': 'text_a'}",
    descriptions: { 0: '不满意', 1: '满意' },
  },
};

/**
 * ChnSentiCorp from a folder holding its three TSV files (`train`, `dev`, `test_public` = the labelled test set).
 * A bad row is a `DataError` naming the file and line.
 * @example
 * const task = chnSentiCorpTask('../shared/sentiment');
 * task.load('test_public').length; // => 1200
 * task.load('train')[0];           // => { id: 0, fields: { text_a: '选择珠江花园的原因就是方便，…' }, label: '1' }
 */
export function chnSentiCorpTask(dir: string): CustomTask {
  return new CustomTask({
    name: 'chnsenticorp',
    format: 'tsv',
    header: true,
    quote: null,
    files: {
      train: join(dir, 'chnsenticorp_train.tsv'),
      dev: join(dir, 'chnsenticorp_dev.tsv'),
      test_public: join(dir, 'chnsenticorp_test.tsv'),
    },
    fields: { label: 'label', text_a: 'text_a' },
    labels: [...CHNSENTICORP_LABELS],
    labelNames: { ...CHNSENTICORP_LABEL_NAMES },
    defaults: CHNSENTICORP_DEFAULTS,
  });
}
