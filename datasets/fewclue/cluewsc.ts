/**
 * CLUEWSC2020 (Winograd schema): does the pronoun (span 2) refer to the noun phrase (span 1)?
 * Both spans keep their text and character offset; {@link markSpans} writes them into the text the
 * way PaddleNLP's FewCLUE code does (`_entity_`, `[pronoun]`), which is the `marked_text` field.
 */
import { DataError } from '../../framework/errors.js';
import type { Example, TaskDefaults } from '../base.js';
import { at, readId, requireString, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';

/** The two spans of a CLUEWSC example (character offsets into `text`). */
export interface WscSpans {
  readonly span1_text: string;
  readonly span1_index: number;
  readonly span2_text: string;
  readonly span2_index: number;
}

/**
 * Mark span 1 (the candidate referent) as `_…_` and span 2 (the pronoun) as `[…]` in the text.
 *
 * @example
 * markSpans('杨百顺他爹是个卖豆腐的。别人叫他卖豆腐的老杨。', { span1_text: '杨百顺', span1_index: 0, span2_text: '他', span2_index: 15 });
 * // => '_杨百顺_他爹是个卖豆腐的。别人叫[他]卖豆腐的老杨。'
 */
export function markSpans(text: string, spans: WscSpans): string {
  const marks = [
    { start: spans.span1_index, end: spans.span1_index + spans.span1_text.length, open: '_', close: '_' },
    { start: spans.span2_index, end: spans.span2_index + spans.span2_text.length, open: '[', close: ']' },
  ].sort((a, b) => b.start - a.start);
  let out = text;
  for (const m of marks) out = out.slice(0, m.start) + m.open + out.slice(m.start, m.end) + m.close + out.slice(m.end);
  return out;
}

/**
 * CLUEWSC: `text` with `span1_text` (entity) and `span2_text` (pronoun) → `true` | `false`.
 * Fields: `text`, `marked_text`, `entity` (= span1_text), `pronoun` (= span2_text); `meta.spans` has the offsets.
 *
 * @example
 * const ex = new CluewscTask({ dataDir: '../shared/fewclue' }).load('test')[0];
 * ex.fields.entity;  // => '杨百顺'
 * ex.meta?.spans;    // => { span1_text: '杨百顺', span1_index: 0, span2_text: '他', span2_index: 15 }
 */
export class CluewscTask extends FewClueTask {
  static override readonly kind = 'cluewsc';
  readonly kind = CluewscTask.kind;
  readonly labels = ['false', 'true'] as const;
  readonly labelNames = { false: '指代错误', true: '指代正确' };
  readonly textFields = ['text'] as const;
  readonly defaults: TaskDefaults = {
    pet: {
      template: "{'text': 'marked_text'}{'text': 'pronoun'}指的{'mask'}是{'text': 'entity'}",
      verbalizer: { false: ['不'], true: ['就'] },
    },
    ptuning: {
      template:
        "{'mask'}{'mask'}{'soft': None, 'length': 6}{'text': 'marked_text'}{'text': 'pronoun'}指的是{'text': 'entity'}",
      verbalizer: { false: ['错误'], true: ['正确'] },
    },
    efl: {
      template: "{'text': 'marked_text'}{'text': 'pronoun'}指的{'text': 'candidate_label'}{'text': 'entity'}",
      descriptions: { false: '不是', true: '是' },
    },
  };
  protected readonly submissionFile = 'cluewscf_predict.json';

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    const text = requireString(r, 'text', where);
    const target = r['target'];
    if (typeof target !== 'object' || target === null || Array.isArray(target)) {
      throw new DataError(
        `${at(where)}: missing field 'target' (an object with span1_text, span1_index, span2_text, span2_index)`,
      );
    }
    const t: Readonly<Record<string, unknown>> = { ...target };
    const spans: WscSpans = {
      span1_text: requireString(t, 'span1_text', where),
      span1_index: offset(t, 'span1_index', where),
      span2_text: requireString(t, 'span2_text', where),
      span2_index: offset(t, 'span2_index', where),
    };
    for (const k of ['1', '2'] as const) {
      const s = k === '1' ? spans.span1_text : spans.span2_text;
      const i = k === '1' ? spans.span1_index : spans.span2_index;
      if (text.slice(i, i + s.length) !== s) {
        throw new DataError(
          `${at(where)}: field 'target.span${k}_index' = ${i} does not point at span${k}_text '${s}' ` +
            `(the text there is '${text.slice(i, i + s.length)}')`,
        );
      }
    }
    return {
      id: readId(r, where),
      fields: { text, marked_text: markSpans(text, spans), entity: spans.span1_text, pronoun: spans.span2_text },
      ...(labelled ? { label: requireString(r, 'label', where) } : {}),
      meta: { spans },
    };
  }
}

function offset(t: Readonly<Record<string, unknown>>, key: string, where: Where): number {
  const v = t[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new DataError(`${at(where)}: field 'target.${key}' must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return v;
}
