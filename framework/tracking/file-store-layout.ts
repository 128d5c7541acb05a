/**
 * MLflow's file-store layout (`mlflow/store/tracking/file_store.py`), read and written without a lock:
 *
 * ```text
 * mlruns/
 *   .trash/                        deleted experiments
 *   0/meta.yaml                    the Default experiment
 *   <experiment_id>/meta.yaml      artifact_location, creation_time, experiment_id, last_update_time, lifecycle_stage,
 *                                  name
 *   <experiment_id>/<run_id>/meta.yaml   run info; status as int (RUNNING=1 … KILLED=5)
 *                          metrics/<key>  lines "timestamp value step" (keys with '/' are subfolders)
 *                          params/<key>   the value, no newline
 *                          tags/<key>     the value, no newline
 *                          artifacts/
 * ```
 * Whole-file writes go through a temp file and `rename`, metric lines are appended with `O_APPEND`, and
 * experiment directories are claimed with `mkdir`, which only one process can win.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TrackingError } from '../errors.js';
import type { MetricPoint, RunInfo, RunStatus } from './base.js';
import { RUN_STATUS_CODE } from './base.js';
import { metaInt, metaString, parseMetaYaml } from './meta-yaml.js';
import type { MetaRecord } from './meta-yaml.js';

/**
 * Folder of deleted experiments under the store root.
 * @example join(root, TRASH) // → '/…/mlruns/.trash'
 */
export const TRASH = '.trash';
/**
 * Name of experiment and run metadata files.
 * @example join(root, '0', META) // → '/…/mlruns/0/meta.yaml'
 */
export const META = 'meta.yaml';
/** Experiment subfolders that are not runs (`FileStore.RESERVED_EXPERIMENT_FOLDERS`). */
const RESERVED_EXPERIMENT_FOLDERS = new Set(['tags', 'datasets', 'traces']);
/**
 * `SourceType.LOCAL`, what MLflow's file store always writes as `source_type`.
 * @example runMetaRecord(info).source_type // → 4
 */
export const SOURCE_TYPE_LOCAL = 4;

/**
 * An experiment as stored in its `meta.yaml`.
 * @example
 * { experimentId: '0', name: 'Default', artifactLocation: 'file:///…/mlruns/0', lifecycleStage: 'active',
 *   creationTime: 1718000000000 }
 */
export interface ExperimentMeta {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: string;
  creationTime: number | null;
}

/**
 * Writes `data` to `path` atomically: readers see the old file or the new one, never half of one.
 * @example await writeFileAtomic('mlruns/0/meta.yaml', emitMetaYaml(record));
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = atomicTempPath(path);
  await writeFile(tmp, data, 'utf8');
  await rename(tmp, path);
}

/** Folders whose every file MLflow reads as a record (a tag, a param, a metric). */
const RECORD_FOLDERS = new Set(['tags', 'params', 'metrics']);

/**
 * Where {@link writeFileAtomic} stages `path`: beside it, except for a file of `tags/`, `params/` or `metrics/`,
 * whose temp file goes one folder up (the run's folder) — MLflow reads every file in those folders, so a temp file
 * left there by a crash would show as a phantom tag. Same file system either way, so the rename stays atomic.
 * @example atomicTempPath('mlruns/0/abc/tags/note'); // → 'mlruns/0/abc/.tags-note.<pid>.<random>.tmp'
 */
export function atomicTempPath(path: string): string {
  const unique = `${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // Names with '/' (MLflow allows them) nest below the record folder: look for it among the ancestors.
  for (let folder = dirname(path); dirname(folder) !== folder; folder = dirname(folder)) {
    if (RECORD_FOLDERS.has(basename(folder)))
      return join(dirname(folder), `.${basename(folder)}-${basename(path)}.${unique}`);
  }
  return `${path}.${unique}`;
}

/**
 * True for the Node error code `code` (`ENOENT`, `EEXIST`, …).
 * @example isErrno(error, 'EEXIST') // → true when mkdir lost the race
 */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

/**
 * Reads and parses `<dir>/meta.yaml`; `undefined` if it does not exist (yet).
 * @example await readMeta('mlruns/0') // → { name: 'Default', experiment_id: '0', … }
 */
export async function readMeta(dir: string): Promise<MetaRecord | undefined> {
  const file = join(dir, META);
  try {
    return parseMetaYaml(await readFile(file, 'utf8'), file);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
    throw error;
  }
}

/**
 * `readMeta`, waiting up to `timeoutMs` for a concurrent creator to finish writing the file.
 * @example await waitForMeta('mlruns/123456789012345678') // resolves once the creator has written meta.yaml
 */
export async function waitForMeta(dir: string, timeoutMs = 5000): Promise<MetaRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const meta = await readMeta(dir);
    if (meta) return meta;
    if (Date.now() > deadline)
      throw new TrackingError(`'${join(dir, META)}' is missing: the folder is not a valid MLflow entry`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/**
 * Parses an experiment `meta.yaml`.
 * @example experimentFromMeta(await waitForMeta(dir), file).name // → 'Default'
 */
export function experimentFromMeta(meta: MetaRecord, file: string): ExperimentMeta {
  return {
    experimentId: metaString(meta, 'experiment_id', file),
    name: metaString(meta, 'name', file),
    artifactLocation: metaString(meta, 'artifact_location', file),
    lifecycleStage: typeof meta.lifecycle_stage === 'string' ? meta.lifecycle_stage : 'active',
    creationTime: metaInt(meta, 'creation_time'),
  };
}

/**
 * Parses a run `meta.yaml` into a {@link RunInfo}.
 * @example runInfoFromMeta({ status: 3, … }, file).status // → 'FINISHED'
 */
export function runInfoFromMeta(meta: MetaRecord, file: string): RunInfo {
  const code = metaInt(meta, 'status') ?? RUN_STATUS_CODE.RUNNING;
  const status = (Object.keys(RUN_STATUS_CODE) as RunStatus[]).find((s) => RUN_STATUS_CODE[s] === code);
  if (!status) throw new TrackingError(`${file}: unknown run status ${code}; expected 1-5`);
  const runId = typeof meta.run_id === 'string' ? meta.run_id : metaString(meta, 'run_uuid', file);
  return {
    runId,
    runName: typeof meta.run_name === 'string' ? meta.run_name : '',
    experimentId: metaString(meta, 'experiment_id', file),
    status,
    startTime: metaInt(meta, 'start_time') ?? 0,
    endTime: metaInt(meta, 'end_time'),
    artifactUri: metaString(meta, 'artifact_uri', file),
    lifecycleStage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    userId: typeof meta.user_id === 'string' ? meta.user_id : '',
  };
}

/**
 * The `meta.yaml` record MLflow's `_make_persisted_run_info_dict` writes for `info`.
 * @example emitMetaYaml(runMetaRecord(info)) // → 'artifact_uri: file:///…\nend_time: null\n…status: 1\ntags: []\n…'
 */
export function runMetaRecord(info: RunInfo): MetaRecord {
  return {
    artifact_uri: info.artifactUri,
    end_time: info.endTime,
    entry_point_name: '',
    experiment_id: info.experimentId,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
    run_name: info.runName,
    run_uuid: info.runId,
    source_name: '',
    source_type: SOURCE_TYPE_LOCAL,
    source_version: '',
    start_time: info.startTime,
    status: RUN_STATUS_CODE[info.status],
    tags: [],
    user_id: info.userId,
  };
}

/**
 * Names of the subfolders of `dir` (`[]` if it does not exist).
 * @example await subdirs('mlruns') // → ['.trash', '0', '123456789012345678']
 */
export async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
}

/**
 * Experiment folder names under the store root, as MLflow lists them (no `.trash`, no `models`).
 * @example await experimentDirs('mlruns') // → ['0', '123456789012345678']
 */
export async function experimentDirs(root: string): Promise<string[]> {
  return (await subdirs(root)).filter((name) => !name.startsWith('.') && name !== 'models');
}

/**
 * Run folder names of an experiment folder.
 * @example await runDirs('mlruns/0') // → ['0f3c…']
 */
export async function runDirs(experimentDir: string): Promise<string[]> {
  return (await subdirs(experimentDir)).filter((name) => !RESERVED_EXPERIMENT_FOLDERS.has(name));
}

/**
 * `{relative key: file contents}` for every file under `dir` (keys with `/` are subfolders).
 * @example await readKeyFiles('mlruns/0/<run>/params') // → { lr: '0.00001', 'optim/beta1': '0.9' }
 */
export async function readKeyFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return out;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.endsWith('.tmp')) continue;
    const path = join(entry.parentPath, entry.name);
    out[
      path
        .slice(dir.length + 1)
        .split('\\')
        .join('/')
    ] = await readFile(path, 'utf8');
  }
  return out;
}

/**
 * Formats a float as Python's `repr` does, which is what MLflow writes in metric files.
 * @example pythonFloat(1) // → '1.0'; pythonFloat(1e-5) // → '1e-05'; pythonFloat(NaN) // → 'nan'
 */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '0', expText = '0'] = Math.abs(value).toExponential().split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  const sign = value < 0 ? '-' : '';
  if (exp >= 16 || exp < -4) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * One metric-file line, `timestamp value step\n`.
 * @example metricLine({ key: 'acc', value: 1, timestamp: 1718000000000, step: 3 }) // → '1718000000000 1.0 3\n'
 */
export function metricLine(point: MetricPoint): string {
  return `${point.timestamp} ${pythonFloat(point.value)} ${point.step}\n`;
}

const SPECIAL_FLOATS: Record<string, number> = {
  nan: NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '-infinity': -Infinity,
};

/**
 * Parses a metric file; a last line without `\n` is a concurrent append in progress and is skipped.
 * @example parseMetricFile('acc', '1718000000000 1.0 3\n', file)
 * // → [{ key: 'acc', value: 1, timestamp: 1718000000000, step: 3 }]
 */
export function parseMetricFile(key: string, text: string, file: string): MetricPoint[] {
  const lines = text.split('\n');
  lines.pop();
  return lines
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const parts = line.trim().split(' ');
      if (parts.length !== 2 && parts.length !== 3) {
        throw new TrackingError(`${file}: malformed metric line '${line}'; expected 'timestamp value step'`);
      }
      const [ts = '', val = '', step = '0'] = parts;
      const value = SPECIAL_FLOATS[val.toLowerCase()] ?? Number(val);
      return { key, timestamp: Number(ts), value, step: Number(step) };
    });
}
