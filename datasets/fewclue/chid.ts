/**
 * CHID (Chinese IDiom cloze): which of seven idioms fills the `#idiom#` blank? A multiple-choice task:
 * the label is the right candidate's index (`'0'`…`'6'`), and methods score every candidate — PET /
 * P-Tuning fill the 4-character idiom at 4 masks between `content_pre` and `content_post`; EFL pairs
 * the text with each candidate filled in against "这句话通顺".
 */
import { DataError } from '../../framework/errors.js';
import type { Example, MultipleChoice, SubmissionFormat, TaskDefaults } from '../base.js';
import { at, readId, requireString, requireStringList, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';

/** The blank marker in CHID's `content`. */
export const IDIOM_BLANK = '#idiom#';
/** Number of candidates per CHID example. */
export const CHID_CANDIDATES = 7;

/**
 * Put a candidate into the blank.
 *
 * @example
 * fillBlank({ id: 0, fields: { content_pre: '新八国联军', content_post: '逼近附近海域' } }, '气势汹汹');
 * // => '新八国联军气势汹汹逼近附近海域'
 */
export function fillBlank(example: Example, candidate: string): string {
  const pre = example.fields['content_pre'];
  const post = example.fields['content_post'];
  if (typeof pre !== 'string' || typeof post !== 'string') {
    throw new DataError(
      `example ${example.id}: fillBlank needs the string fields content_pre and content_post (a CHID example)`,
    );
  }
  return pre + candidate + post;
}

/**
 * CHID: `content` with one `#idiom#`, `candidates` (7 idioms) → index of the answer as a string.
 * Fields: `content`, `content_pre`, `content_post`, `candidates`.
 *
 * @example
 * const ex = new ChidTask({ dataDir: '../shared/fewclue' }).load('train')[0];
 * ex.label;                                       // => '1'
 * (ex.fields.candidates as string[])[Number(ex.label)]; // => '气势汹汹'
 */
export class ChidTask extends FewClueTask {
  static override readonly kind = 'chid';
  readonly kind = ChidTask.kind;
  readonly labels = ['0', '1', '2', '3', '4', '5', '6'] as const;
  readonly labelNames = undefined;
  readonly textFields = ['content'] as const;
  override readonly multipleChoice: MultipleChoice = { candidatesField: 'candidates', wordLength: 4 };
  readonly defaults: TaskDefaults = {
    pet: { template: "{'text': 'content_pre'}{'mask': None, 'length': 4}{'text': 'content_post'}", verbalizer: {} },
    ptuning: {
      template: "{'soft': None, 'length': 6}{'text': 'content_pre'}{'mask': None, 'length': 4}{'text': 'content_post'}",
      verbalizer: {},
    },
    efl: {
      template: "{'text': 'content_pre'}{'text': 'candidate_label'}{'text': 'content_post'}{'sep'}这句话通顺。",
      descriptions: {},
    },
  };
  protected override readonly labelKey = 'answer';
  protected readonly submissionFile = 'chidf_predict.json';

  override get submission(): SubmissionFormat {
    return { fileName: this.submissionFile, labelKey: 'answer', labelType: 'number' };
  }

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    const content = requireString(r, 'content', where);
    const candidates = requireStringList(r, 'candidates', where);
    if (candidates.length !== CHID_CANDIDATES) {
      throw new DataError(
        `${at(where)}: field 'candidates' has ${candidates.length} idioms, expected ${CHID_CANDIDATES}`,
      );
    }
    const blank = content.indexOf(IDIOM_BLANK);
    if (blank < 0 || content.indexOf(IDIOM_BLANK, blank + 1) >= 0) {
      throw new DataError(
        `${at(where)}: field 'content' must hold exactly one ${IDIOM_BLANK}, ` +
          `found ${content.split(IDIOM_BLANK).length - 1}`,
      );
    }
    return {
      id: readId(r, where),
      fields: {
        content,
        content_pre: content.slice(0, blank),
        content_post: content.slice(blank + IDIOM_BLANK.length),
        candidates,
      },
      ...(labelled ? { label: requireString(r, 'answer', where) } : {}),
    };
  }
}
