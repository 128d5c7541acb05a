/**
 * Experiment tracking to MLflow. `createTracker()` reads `MLFLOW_TRACKING_URI` the way MLflow does:
 * an http(s) URL → {@link RestTracker}; a `file:` URI or a plain path → {@link FileStoreTracker} there;
 * unset → `./mlruns`. `--no-track` uses {@link NullTracker}.
 */
import { TrackingError, UnknownKindError } from '../errors.js';
import type { Tracker, TrackerConfig } from './base.js';
import { FileStoreTracker } from './file-store.js';
import { NullTracker } from './null.js';
import { RestTracker } from './rest.js';

export * from './base.js';
export { FileStoreRun, FileStoreTracker } from './file-store.js';
export { NullRun, NullTracker } from './null.js';
export { RestRun, RestTracker, runRecordFromJson } from './rest.js';
export { MlflowRestClient } from './rest-client.js';
export type { MlflowEndpoint, MlflowEndpoints, RestClientOptions } from './rest-client.js';
export { BATCH_LIMITS, validateKey } from './validation.js';

/**
 * A tracker class as the registry sees it.
 * @example const cls: TrackerClass = FileStoreTracker; cls.fromConfig({ type: 'file', uri: 'mlruns' });
 */
export interface TrackerClass {
  readonly kind: string;
  fromConfig(config: TrackerConfig): Tracker;
}

/**
 * Every tracker kind; a new kind is one file plus one entry here.
 * @example TRACKERS.map((c) => c.kind) // → ['file', 'rest', 'null']
 */
export const TRACKERS: readonly TrackerClass[] = Object.freeze([FileStoreTracker, RestTracker, NullTracker]);

const BY_KIND = new Map<string, TrackerClass>();
for (const cls of TRACKERS) {
  if (BY_KIND.has(cls.kind)) throw new Error(`duplicate tracker kind '${cls.kind}'`);
  BY_KIND.set(cls.kind, cls);
}

/**
 * Rebuilds a tracker from `getConfig()` output.
 * @example trackerFromConfig({ type: 'file', uri: '/tmp/mlruns' }) // → FileStoreTracker at /tmp/mlruns
 */
export function trackerFromConfig(config: TrackerConfig): Tracker {
  const cls = BY_KIND.get(config.type);
  if (!cls) throw new UnknownKindError('tracker', config.type, [...BY_KIND.keys()]);
  return cls.fromConfig(config);
}

/**
 * The tracker config a tracking URI stands for.
 * @example
 * trackerConfigForUri('http://mlflow:5000') // → { type: 'rest', uri: 'http://mlflow:5000' }
 * trackerConfigForUri('file:///data/mlruns') // → { type: 'file', uri: 'file:///data/mlruns' }
 * trackerConfigForUri(undefined)             // → { type: 'file', uri: 'mlruns' }
 */
export function trackerConfigForUri(uri: string | undefined): TrackerConfig {
  const value = uri?.trim();
  if (!value) return { type: FileStoreTracker.kind, uri: 'mlruns' };
  if (/^https?:\/\//i.test(value)) return { type: RestTracker.kind, uri: value };
  // A scheme other than file: (sqlite:///mlflow.db, postgresql://…, databricks) is a store only an MLflow server can
  // write; taken as a path it used to create a folder named 'sqlite:' in the working directory.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== 'file' && !/^[a-z]:[\\/]/i.test(value)) {
    throw new TrackingError(
      `MLFLOW_TRACKING_URI '${value}': fewprompt writes to an MLflow server (http(s)://…, e.g. 'mlflow server ` +
        `--backend-store-uri ${value}' and MLFLOW_TRACKING_URI=http://127.0.0.1:5000) ` +
        'or to a file store (a path or file:…)',
    );
  }
  return { type: FileStoreTracker.kind, uri: value };
}

/**
 * The tracker for `uri`, by default `MLFLOW_TRACKING_URI`.
 * @example
 * const tracker = createTracker(); // MLFLOW_TRACKING_URI unset → FileStoreTracker at ./mlruns
 * const run = await tracker.startRun({ experimentName: 'pet-eprstmt', runName: 'seed-1' });
 */
export function createTracker(uri: string | undefined = process.env.MLFLOW_TRACKING_URI): Tracker {
  return trackerFromConfig(trackerConfigForUri(uri));
}
