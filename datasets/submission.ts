/**
 * FewCLUE leaderboard files: one JSON object per line, `{"id": …, "label": "…"}` (CHID:
 * `{"id": …, "answer": 3}`), named `<task>[f]_predict.json` as FewCLUE expects.
 */
import { DataError } from '../framework/errors.js';
import type { TaskDefinition } from './base.js';

/** One prediction for one `test` example: its id as loaded, and the predicted label key. */
export interface Prediction {
  readonly id: string | number;
  readonly label: string;
}

/**
 * The leaderboard file name of a task.
 *
 * @example
 * submissionFileName(getTask('eprstmt')); // => 'eprstmt_predict.json'
 * submissionFileName(getTask('ocnli'));   // => 'ocnlif_predict.json'
 */
export function submissionFileName(task: TaskDefinition): string {
  return task.submission.fileName;
}

/**
 * Predictions → the submission file's text (JSONL, one line per prediction, in the given order).
 * Ids are written as given (TNEWS test ids are strings); labels must be task label keys.
 *
 * @example
 * toSubmission(getTask('eprstmt'), [{ id: 111, label: 'Negative' }]); // => '{"id":111,"label":"Negative"}\n'
 * toSubmission(getTask('chid'), [{ id: 3000, label: '2' }]);          // => '{"id":3000,"answer":2}\n'
 */
export function toSubmission(task: TaskDefinition, predictions: readonly Prediction[]): string {
  const { labelKey, labelType } = task.submission;
  const seen = new Set<string | number>();
  let out = '';
  predictions.forEach((p, i) => {
    if (!task.labels.includes(p.label)) {
      throw new DataError(
        `prediction ${i} (id ${JSON.stringify(p.id)}): label '${p.label}' is not a ${task.kind} label; ` +
          `expected one of: ${task.labels.join(', ')}`,
      );
    }
    if (seen.has(p.id)) throw new DataError(`prediction ${i}: id ${JSON.stringify(p.id)} is predicted twice`);
    seen.add(p.id);
    out += `${JSON.stringify({ id: p.id, [labelKey]: labelType === 'number' ? Number(p.label) : p.label })}\n`;
  });
  return out;
}
