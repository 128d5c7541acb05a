/**
 * MLflow's own input rules (`mlflow/utils/validation.py`), checked before anything is written so that a
 * bad key fails here, naming the key, rather than on the server or in `mlflow ui`.
 */
import { TrackingError } from '../errors.js';

/** Python's `^[/\w.\- ]*$` with Unicode `\w` (letters, digits, underscore), so Chinese keys are allowed. */
const VALID_NAME = /^[/\p{L}\p{N}_.\- ]*$/u;
/** MLflow's run-id rule; also keeps run ids from escaping the store as paths. */
const VALID_RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/**
 * MLflow's per-request limits for `runs/log-batch`.
 * @example BATCH_LIMITS.params // → 100
 */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000, bytes: 1_000_000 } as const;
/**
 * MLflow's length limits (characters).
 * @example LENGTH_LIMITS.paramValue // → 6000
 */
export const LENGTH_LIMITS = { key: 250, paramValue: 6000, tagValue: 5000, experimentName: 500 } as const;

/**
 * Which MLflow name rule applies.
 * @example validateKey('param' satisfies KeyKind, 'lr')
 */
export type KeyKind = 'metric' | 'param' | 'tag';
const KIND_LABEL: Record<KeyKind, string> = { metric: 'metric name', param: 'parameter name', tag: 'tag name' };

/**
 * Python's `posixpath.normpath`: collapses `.`, `..` and repeated slashes, keeps exactly two leading slashes.
 * @example pythonNormpath('a//b/./c/') // → 'a/b/c'
 */
export function pythonNormpath(path: string): string {
  if (path === '') return '.';
  const initial = path.startsWith('//') && !path.startsWith('///') ? 2 : path.startsWith('/') ? 1 : 0;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    const last = parts[parts.length - 1];
    if (part !== '..' || (initial === 0 && parts.length === 0) || last === '..') parts.push(part);
    else if (parts.length > 0) parts.pop();
  }
  return '/'.repeat(initial) + parts.join('/') || '.';
}

/**
 * Throws unless `key` is a valid MLflow metric/param/tag name: only letters, digits, `_ - . /` and spaces,
 * and a path that normalizes to itself (no `..`, `//`, leading or trailing `/`), at most 250 characters.
 * @example validateKey('metric', 'dev/acc')
 * // ok; validateKey('metric', 'acc@1') throws "Invalid metric name: 'acc@1'…"
 */
export function validateKey(kind: KeyKind, key: string): void {
  const label = KIND_LABEL[kind];
  if (typeof key !== 'string' || !VALID_NAME.test(key)) {
    throw new TrackingError(
      `Invalid ${label}: '${String(key)}'. Names may only contain alphanumerics, underscores (_), dashes (-), ` +
        'periods (.), spaces ( ), and slashes (/).',
    );
  }
  const norm = pythonNormpath(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw new TrackingError(
      `Invalid ${label}: '${key}'. Names may be treated as files and must not resolve to other names; ` +
        `this name would resolve to '${norm}'.`,
    );
  }
  if (key.length > LENGTH_LIMITS.key) {
    throw new TrackingError(`${label} '${key.slice(0, 50)}…' has length ${key.length}, limit ${LENGTH_LIMITS.key}`);
  }
}

/**
 * Throws unless `value` fits MLflow's limit for a param (6000) or tag (5000) value.
 * @example validateValue('param', 'lr', '1e-5') // ok
 */
export function validateValue(kind: 'param' | 'tag', key: string, value: string): void {
  const limit = kind === 'param' ? LENGTH_LIMITS.paramValue : LENGTH_LIMITS.tagValue;
  if (value.length > limit) {
    throw new TrackingError(
      `${kind} '${key}' value has length ${value.length}, which exceeds MLflow's limit of ${limit}`,
    );
  }
}

/**
 * Throws unless a metric point is loggable: numeric value (NaN and ±Infinity are allowed, as in MLflow),
 * non-negative integer millisecond timestamp and integer step.
 * @example validateMetric('loss', 0.5, Date.now(), 3) // ok
 */
export function validateMetric(key: string, value: number, timestamp: number, step: number): void {
  validateKey('metric', key);
  if (typeof value !== 'number') {
    throw new TrackingError(`Got invalid value ${String(value)} for metric '${key}': expected a number`);
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TrackingError(
      `Got invalid timestamp ${timestamp} for metric '${key}': expected a non-negative integer (ms)`,
    );
  }
  if (!Number.isSafeInteger(step)) {
    throw new TrackingError(`Got invalid step ${step} for metric '${key}': expected an integer`);
  }
}

/**
 * Throws unless `runId` matches MLflow's run-id rule.
 * @example validateRunId('0f3c…') // ok for a 32-hex id
 */
export function validateRunId(runId: string): void {
  if (!VALID_RUN_ID.test(runId)) throw new TrackingError(`Invalid run ID: '${runId}'`);
}

/**
 * Throws unless `name` is a usable experiment name (non-empty, at most 500 characters).
 * @example validateExperimentName('pet-eprstmt') // ok
 */
export function validateExperimentName(name: string): void {
  if (typeof name !== 'string' || name === '') throw new TrackingError(`Invalid experiment name: '${String(name)}'`);
  if (name.length > LENGTH_LIMITS.experimentName) {
    throw new TrackingError(`Experiment name exceeds the maximum length of ${LENGTH_LIMITS.experimentName} characters`);
  }
}

/**
 * Normalizes a relative artifact path (`a/b.json`), refusing absolute paths and `..`.
 * @example artifactRelPath('plots//cm.png') // → 'plots/cm.png'
 */
export function artifactRelPath(path: string): string {
  const norm = pythonNormpath(path.replaceAll('\\', '/'));
  if (norm === '.' || norm.startsWith('/') || norm === '..' || norm.startsWith('../')) {
    throw new TrackingError(`Invalid artifact path '${path}': expected a relative path inside the run's artifacts`);
  }
  return norm;
}
