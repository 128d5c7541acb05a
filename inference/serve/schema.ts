/**
 * Request bodies of the prediction server, validated with arktype: `{"texts": [...]}`, or `{"inputs": [{...}]}` for a
 * model that takes records (`question_answering`). Errors carry the field path (`texts.3`) so a client sees which
 * element was wrong.
 */
import { type } from 'arktype';
import { RequestError } from '../../framework/errors.js';

/** `POST /v1/models/NAME:predict` body. */
export const PredictRequest = type({ texts: type('string[]').atLeastLength(1) });
export type PredictRequest = typeof PredictRequest.infer;
/** The body for a model that takes records (`question_answering`: `{"inputs": [{"question", "context"}]}`). */
export const RecordRequest = type({ inputs: type('object[]').atLeastLength(1) });

/**
 * Checks one record of a request's `inputs` (`path`: `inputs.3`); throws an Error whose message tells the client what
 * is wrong with it.
 */
export type RecordCheck = (item: unknown, path: string) => unknown;

/** Throws RequestError 400 with the first arktype error and its path. */
function validated<T>(parsed: T | type.errors): T {
  if (!(parsed instanceof type.errors)) return parsed;
  const first = parsed[0];
  throw new RequestError(parsed.summary.replace(/\n/g, '; '), 400, first ? first.path.join('.') : '');
}

/**
 * A record model's body as texts: each record checked, then carried as its JSON (the limits on characters then count
 * the JSON). A body of texts for a record model, or of records for a text model, is a 400 saying which it takes.
 */
function recordTexts(json: unknown, check: RecordCheck): PredictRequest {
  const { inputs } = validated(RecordRequest(json));
  return {
    texts: inputs.map((item, i) => {
      try {
        check(item, `inputs.${i}`);
      } catch (error) {
        throw new RequestError((error as Error).message, 400, `inputs.${i}`);
      }
      return JSON.stringify(item);
    }),
  };
}

/**
 * Parses and validates a body; throws `RequestError` 400 (malformed JSON or wrong shape, with the
 * path) or 413 (more texts than `maxTexts`, or a text longer than `maxTextChars`). With `records` the body must be
 * `{"inputs": [...]}`, each record passing `records`, and comes back as their JSON texts.
 * @example
 * parsePredictRequest('{"texts": ["很好"]}', { maxTexts: 64, maxTextChars: 10000 }); // → { texts: ['很好'] }
 * parsePredictRequest('{"texts": [1]}', …);
 * // throws RequestError 400 'texts[0] must be a string (was a number)', path 'texts.0'
 * parsePredictRequest('{"inputs": [{"question": "谁？", "context": "我。"}]}', limits, checkQaInput);
 * // → { texts: ['{"question":"谁？","context":"我。"}'] }
 */
export function parsePredictRequest(
  body: string,
  limits: { maxTexts: number; maxTextChars: number; maxRequestChars?: number },
  records?: RecordCheck,
): PredictRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new RequestError(`malformed JSON: ${(error as Error).message}`, 400, '');
  }
  const takes = (field: string) => typeof json === 'object' && json !== null && Object.hasOwn(json, field);
  if (records && takes('texts') && !takes('inputs'))
    throw new RequestError('this model takes records: send {"inputs": [{…}, …]}, not "texts"', 400, 'texts');
  if (!records && takes('inputs') && !takes('texts'))
    throw new RequestError('this model takes texts: send {"texts": ["…", …]}, not "inputs"', 400, 'inputs');
  const parsed = records ? recordTexts(json, records) : validated(PredictRequest(json));
  const field = records ? 'inputs' : 'texts';
  if (parsed.texts.length > limits.maxTexts)
    throw new RequestError(
      `too many ${field}: ${parsed.texts.length}, at most ${limits.maxTexts} per request`,
      413,
      field,
    );
  const long = parsed.texts.findIndex((t) => t.length > limits.maxTextChars);
  if (long >= 0)
    throw new RequestError(
      `${field}[${long}] has ${parsed.texts[long]!.length} characters${records ? ' as JSON' : ''}, ` +
        `at most ${limits.maxTextChars}`,
      413,
      `${field}.${long}`,
    );
  // The request's compute budget: the model's work grows with the characters, however they are split into texts.
  const total = parsed.texts.reduce((n, t) => n + t.length, 0);
  if (limits.maxRequestChars !== undefined && total > limits.maxRequestChars) {
    throw new RequestError(
      `the ${field} hold ${total} characters, at most ${limits.maxRequestChars} per request; ` +
        'send them in several requests',
      413,
      field,
    );
  }
  return parsed;
}
