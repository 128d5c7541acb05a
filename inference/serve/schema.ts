/**
 * Request bodies of the prediction server, validated with arktype. Errors carry the field path
 * (`texts.3`) so a client sees which element was wrong.
 */
import { type } from 'arktype';
import { RequestError } from '../../framework/errors.js';

/** `POST /v1/models/NAME:predict` body. */
export const PredictRequest = type({ texts: type('string[]').atLeastLength(1) });
export type PredictRequest = typeof PredictRequest.infer;

/**
 * Parses and validates a body; throws `RequestError` 400 (malformed JSON or wrong shape, with the
 * path) or 413 (more texts than `maxTexts`, or a text longer than `maxTextChars`).
 * @example
 * parsePredictRequest('{"texts": ["很好"]}', { maxTexts: 64, maxTextChars: 10000 }); // → { texts: ['很好'] }
 * parsePredictRequest('{"texts": [1]}', …);
 * // throws RequestError 400 'texts[0] must be a string (was a number)', path 'texts.0'
 */
export function parsePredictRequest(
  body: string,
  limits: { maxTexts: number; maxTextChars: number; maxRequestChars?: number },
): PredictRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new RequestError(`malformed JSON: ${(error as Error).message}`, 400, '');
  }
  const parsed = PredictRequest(json);
  if (parsed instanceof type.errors) {
    const first = parsed[0];
    throw new RequestError(parsed.summary.replace(/\n/g, '; '), 400, first ? first.path.join('.') : '');
  }
  if (parsed.texts.length > limits.maxTexts)
    throw new RequestError(
      `too many texts: ${parsed.texts.length}, at most ${limits.maxTexts} per request`,
      413,
      'texts',
    );
  const long = parsed.texts.findIndex((t) => t.length > limits.maxTextChars);
  if (long >= 0)
    throw new RequestError(
      `texts[${long}] has ${parsed.texts[long]!.length} characters, at most ${limits.maxTextChars}`,
      413,
      `texts.${long}`,
    );
  // The request's compute budget: the model's work grows with the characters, however they are split into texts.
  const total = parsed.texts.reduce((n, t) => n + t.length, 0);
  if (limits.maxRequestChars !== undefined && total > limits.maxRequestChars) {
    throw new RequestError(
      `the texts hold ${total} characters, at most ${limits.maxRequestChars} per request; ` +
        'send them in several requests',
      413,
      'texts',
    );
  }
  return parsed;
}
