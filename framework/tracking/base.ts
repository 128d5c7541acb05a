/**
 * Experiment tracking in MLflow's data model: a {@link Tracker} starts {@link Run}s inside named experiments;
 * a run holds params (write-once strings), metrics (time series of `(timestamp, value, step)`), tags and
 * artifacts (files). Concrete kinds: `FileStoreTracker` (MLflow's `mlruns/` file layout), `RestTracker`
 * (MLflow REST API 2.0) and `NullTracker` (`--no-track`); `createTracker()` in `index.ts` picks one.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { TrackingError } from '../errors.js';
import { artifactRelPath, validateKey, validateMetric, validateValue } from './validation.js';

/**
 * MLflow's run states; the file store keeps them as the ints in {@link RUN_STATUS_CODE}.
 * @example const s: RunStatus = 'RUNNING';
 */
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
/**
 * The states a run may end in.
 * @example await run.end('FAILED' satisfies EndStatus);
 */
export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED';
/**
 * `RunStatus` as MLflow's protobuf enum numbers, used in the file store's `meta.yaml`.
 * @example RUN_STATUS_CODE.FINISHED // → 3
 */
export const RUN_STATUS_CODE: Readonly<Record<RunStatus, number>> = Object.freeze({
  RUNNING: 1,
  SCHEDULED: 2,
  FINISHED: 3,
  FAILED: 4,
  KILLED: 5,
});

/**
 * One logged metric value. `timestamp` is Unix milliseconds.
 * @example { key: 'dev/acc', value: 0.87, timestamp: 1718000000000, step: 100 }
 */
export interface MetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
/**
 * A param or tag.
 * @example { key: 'lr', value: '0.00001' }
 */
export interface KeyValue {
  key: string;
  value: string;
}
/**
 * What one `Run.logBatch` call writes.
 * @example
 * await run.logBatch({
 *   metrics: [{ key: 'loss', value: 0.7, timestamp: Date.now(), step: 0 }],
 *   params: [],
 *   tags: [],
 * });
 */
export interface LogBatch {
  metrics: MetricPoint[];
  params: KeyValue[];
  tags: KeyValue[];
}
/**
 * Values accepted by `logParams`; they are stored as strings, as MLflow does.
 * @example await run.logParams({ lr: 1e-5, fp16: false, note: null }); // stored as '0.00001', 'false', ''
 */
export type ParamValue = string | number | boolean | null | undefined;

/**
 * Options of {@link Tracker.startRun}. Without `experimentName` the run goes to MLflow's `Default` experiment.
 * @example { experimentName: 'pet-eprstmt', runName: 'seed-1', tags: { task: 'eprstmt' } }
 */
export interface StartRunOptions {
  experimentName?: string;
  runName?: string;
  tags?: Record<string, string>;
}

/**
 * A run's metadata, the same fields MLflow's `RunInfo` has.
 * @example (await tracker.getRun(id)).info // → { runId: '0f3c…', runName: 'seed-1', status: 'FINISHED', … }
 */
export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  status: RunStatus;
  /** Unix ms. */
  startTime: number;
  /** Unix ms, `null` while running. */
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: 'active' | 'deleted';
  userId: string;
}

/**
 * A run read back from the store; `metrics` holds each key's latest value (highest step, then timestamp).
 * @example (await tracker.getRun(id)).metrics // → { 'dev/acc': 0.87, 'train/loss': 0.21 }
 */
export interface RunRecord {
  info: RunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
}

/**
 * A JSON-safe description of a tracker, enough for `trackerFromConfig` to rebuild it (no credentials).
 * @example { type: 'file', uri: '/data/mlruns' } // or { type: 'rest', uri: 'http://mlflow:5000' }, { type: 'null' }
 */
export interface TrackerConfig {
  type: string;
  uri?: string;
}

/**
 * One tracked run. Subclasses implement the four storage primitives; the logging helpers here validate
 * keys the way MLflow does, stringify params and split directories into files.
 * @example
 * const run = await tracker.startRun({ experimentName: 'pet-eprstmt', runName: 'seed-1' });
 * await run.logParams({ lr: 1e-5, template: 'manual' });
 * await run.logMetric('train/loss', 0.69, 0);
 * await run.logDict({ acc: 0.87 }, 'eval/summary.json');
 * await run.end('FINISHED');
 */
export abstract class Run {
  /** MLflow run id (32 hex characters). */
  abstract readonly runId: string;
  /** Where artifacts live, e.g. `file:///…/mlruns/1234/<run>/artifacts` or `mlflow-artifacts:/1234/<run>/artifacts`. */
  abstract readonly artifactUri: string;

  /** Writes params, metrics and tags (already validated). */
  protected abstract writeBatch(batch: LogBatch): Promise<void>;
  /** Stores one local file at `dest`, a normalized path relative to the artifact root. */
  protected abstract putArtifactFile(localFile: string, dest: string): Promise<void>;
  /** Stores bytes at `dest`, a normalized path relative to the artifact root. */
  protected abstract putArtifactBytes(data: Uint8Array, dest: string): Promise<void>;
  /** Marks the run ended with `status` and the current time. */
  abstract end(status?: EndStatus): Promise<void>;

  /**
   * Validates and writes a batch in one go. Params are immutable in MLflow: relogging a key with a
   * different value fails.
   */
  async logBatch(batch: Partial<LogBatch>): Promise<void> {
    const full: LogBatch = { metrics: batch.metrics ?? [], params: batch.params ?? [], tags: batch.tags ?? [] };
    for (const m of full.metrics) validateMetric(m.key, m.value, m.timestamp, m.step);
    for (const p of full.params) {
      validateKey('param', p.key);
      validateValue('param', p.key, p.value);
    }
    for (const t of full.tags) {
      validateKey('tag', t.key);
      validateValue('tag', t.key, t.value);
    }
    if (full.metrics.length + full.params.length + full.tags.length === 0) return;
    await this.writeBatch(full);
  }

  /** Logs params; non-string values are stringified (`1e-5` → `'0.00001'`, `null` → `''`). */
  async logParams(record: Record<string, ParamValue>): Promise<void> {
    const params = Object.entries(record).map(([key, value]) => ({ key, value: value == null ? '' : String(value) }));
    await this.logBatch({ params });
  }

  /** Appends one metric value; `step` defaults to 0 and `timestamp` to now, as in MLflow. */
  async logMetric(key: string, value: number, step = 0, timestamp = Date.now()): Promise<void> {
    await this.logBatch({ metrics: [{ key, value, step, timestamp }] });
  }

  /** Appends several metrics sharing one step and timestamp. */
  async logMetrics(record: Record<string, number>, step = 0): Promise<void> {
    const timestamp = Date.now();
    await this.logBatch({ metrics: Object.entries(record).map(([key, value]) => ({ key, value, step, timestamp })) });
  }

  /** Sets (or overwrites) tags. */
  async setTags(record: Record<string, string>): Promise<void> {
    await this.logBatch({ tags: Object.entries(record).map(([key, value]) => ({ key, value: String(value) })) });
  }

  /**
   * Logs a local file as `<artifactPath>/<file name>`, or, for a directory, its contents under
   * `artifactPath` (MLflow's `log_artifact` / `log_artifacts`).
   */
  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    const prefix = artifactPath === undefined || artifactPath === '' ? '' : `${artifactRelPath(artifactPath)}/`;
    const info = await stat(localPath).catch(() => {
      throw new TrackingError(`cannot log artifact '${localPath}': no such file or directory`);
    });
    if (!info.isDirectory()) {
      await this.putArtifactFile(localPath, artifactRelPath(prefix + basename(localPath)));
      return;
    }
    for (const file of await listFilesRecursive(localPath)) {
      await this.putArtifactFile(file, artifactRelPath(prefix + relative(localPath, file).split('\\').join('/')));
    }
  }

  /** Stores `text` (UTF-8) as the artifact `artifactFile`, e.g. `'eval/report.md'`. */
  async logText(text: string, artifactFile: string): Promise<void> {
    await this.putArtifactBytes(new TextEncoder().encode(text), artifactRelPath(artifactFile));
  }

  /** Stores `obj` as indented JSON at `artifactFile` (JSON is also valid YAML, so `.yaml` names work). */
  async logDict(obj: object, artifactFile: string): Promise<void> {
    await this.logText(`${JSON.stringify(obj, null, 2)}\n`, artifactFile);
  }
}

/**
 * Where runs go and how to read them back.
 * @example
 * const tracker = new FileStoreTracker('./mlruns');
 * const run = await tracker.startRun({ experimentName: 'demo' });
 * await run.logMetric('acc', 0.9); await run.end();
 * (await tracker.getRun(run.runId)).metrics // → { acc: 0.9 }
 */
export abstract class Tracker {
  /** Creates the experiment if needed and starts a RUNNING run in it. */
  abstract startRun(options?: StartRunOptions): Promise<Run>;
  /** Reads a run back: info, params, tags and each metric's latest value. */
  abstract getRun(runId: string): Promise<RunRecord>;
  /** Every value logged for one metric key, in logging order. */
  abstract getMetricHistory(runId: string, key: string): Promise<MetricPoint[]>;
  /** The active runs of an experiment, newest first; `[]` if the experiment does not exist. */
  abstract listRuns(experimentName: string): Promise<RunRecord[]>;
  /** JSON-safe config for `trackerFromConfig`. */
  abstract getConfig(): TrackerConfig;
}

/**
 * Every file under `dir`, recursively, sorted for a deterministic upload order.
 * @example await listFilesRecursive('ckpt') // → ['ckpt/config.json', 'ckpt/sub/w.bin']
 */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFilesRecursive(path)));
    else out.push(path);
  }
  return out.sort();
}

/**
 * The latest value of each metric the way MLflow picks it: highest step, then timestamp, then value.
 * @example latestMetrics([{key:'a',value:1,timestamp:5,step:0},{key:'a',value:2,timestamp:1,step:1}]) // → { a: 2 }
 */
export function latestMetrics(points: readonly MetricPoint[]): Record<string, number> {
  const best = new Map<string, MetricPoint>();
  for (const p of points) {
    const b = best.get(p.key);
    if (
      !b ||
      p.step > b.step ||
      (p.step === b.step && (p.timestamp > b.timestamp || (p.timestamp === b.timestamp && p.value > b.value)))
    )
      best.set(p.key, p);
  }
  return Object.fromEntries([...best].map(([k, p]) => [k, p.value]));
}
