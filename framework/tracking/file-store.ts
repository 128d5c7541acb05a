/**
 * `FileStoreTracker`: runs written in MLflow's own file-store layout (see `file-store-layout.ts`), so that
 * `mlflow ui --backend-store-uri ./mlruns` shows them unchanged. Several processes may log to the same
 * store at once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TrackingError } from '../errors.js';
import { Run, Tracker, latestMetrics } from './base.js';
import type { EndStatus, LogBatch, MetricPoint, RunInfo, RunRecord, StartRunOptions, TrackerConfig } from './base.js';
import { SYSTEM_TAGS, currentUser, defaultRunTags, randomRunName } from './context.js';
import {
  META,
  TRASH,
  experimentDirs,
  experimentFromMeta,
  isErrno,
  metricLine,
  parseMetricFile,
  readKeyFiles,
  readMeta,
  runDirs,
  runInfoFromMeta,
  runMetaRecord,
  waitForMeta,
  writeFileAtomic,
} from './file-store-layout.js';
import type { ExperimentMeta } from './file-store-layout.js';
import { emitMetaYaml } from './meta-yaml.js';
import { validateExperimentName, validateKey, validateRunId } from './validation.js';

const DEFAULT_EXPERIMENT = { id: '0', name: 'Default' } as const;

/**
 * An 18-digit experiment id derived from the name, so that two processes creating the same experiment
 * race for the same folder and `mkdir` picks one winner. MLflow's own ids are random 18-digit integers;
 * ours have the same shape. `salt` moves past a folder taken by another name or by a deleted experiment.
 */
function experimentIdFor(name: string, salt: number): string {
  const hash = createHash('sha256')
    .update(salt === 0 ? name : `${name}\u0000${salt}`)
    .digest('hex');
  return String((BigInt(`0x${hash.slice(0, 30)}`) % 900_000_000_000_000_000n) + 100_000_000_000_000_000n);
}

/**
 * A local folder from a `file:` URI or a plain path; `undefined` for remote artifact stores.
 * @example localPathFromUri('file:///data/mlruns') // → '/data/mlruns'; localPathFromUri('s3://b/x') // → undefined
 */
export function localPathFromUri(uri: string): string | undefined {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (uri.startsWith('file:')) return resolve(uri.slice(5));
  return isAbsolute(uri) ? uri : undefined;
}

/**
 * Tracks runs in a local `mlruns` folder in MLflow's file-store format.
 * @example
 * const tracker = new FileStoreTracker('./mlruns');
 * const run = await tracker.startRun({ experimentName: 'pet-eprstmt', runName: 'seed-1' });
 * await run.logMetric('dev/acc', 0.87, 100);
 * await run.end('FINISHED');
 * // mlruns/<id>/<run>/metrics/dev/acc → "1718000000000 0.87 100\n"
 */
export class FileStoreTracker extends Tracker {
  static readonly kind = 'file';
  /** Absolute path of the store root. */
  readonly root: string;
  private ready: Promise<void> | undefined;

  /** `root` is a path or `file:` URI; default `./mlruns` as in MLflow. */
  constructor(root = 'mlruns') {
    super();
    this.root = resolve(localPathFromUri(root) ?? root);
  }

  static fromConfig(config: TrackerConfig): FileStoreTracker {
    return new FileStoreTracker(config.uri);
  }

  getConfig(): TrackerConfig {
    return { type: FileStoreTracker.kind, uri: this.root };
  }

  /** Creates the root, `.trash` and the Default experiment `0` if missing (idempotent, race-free). */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.root, TRASH), { recursive: true });
      await this.claimExperiment(DEFAULT_EXPERIMENT.id, DEFAULT_EXPERIMENT.name);
    })();
    return this.ready;
  }

  /** `mkdir` the experiment folder; the winner writes `meta.yaml`, everyone returns what it says. */
  private async claimExperiment(id: string, name: string): Promise<ExperimentMeta> {
    const dir = join(this.root, id);
    try {
      await mkdir(dir);
      const now = Date.now();
      await writeFileAtomic(
        join(dir, META),
        emitMetaYaml({
          artifact_location: `${pathToFileURL(this.root).href}/${id}`,
          creation_time: now,
          experiment_id: id,
          last_update_time: now,
          lifecycle_stage: 'active',
          name,
        }),
      );
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    return experimentFromMeta(await waitForMeta(dir), join(dir, META));
  }

  /** The active experiment called `name`, or `undefined`. */
  async getExperimentByName(name: string): Promise<ExperimentMeta | undefined> {
    await this.init();
    for (const id of await experimentDirs(this.root)) {
      const meta = await readMeta(join(this.root, id));
      if (!meta || meta.name !== name) continue;
      const experiment = experimentFromMeta(meta, join(this.root, id, META));
      if (experiment.lifecycleStage === 'active') return experiment;
    }
    return undefined;
  }

  /** Finds the experiment by name or creates it. */
  async getOrCreateExperiment(name: string): Promise<ExperimentMeta> {
    validateExperimentName(name);
    const existing = await this.getExperimentByName(name);
    if (existing) return existing;
    for (let salt = 0; salt < 16; salt++) {
      const id = experimentIdFor(name, salt);
      if ((await readMeta(join(this.root, TRASH, id))) !== undefined) continue;
      const experiment = await this.claimExperiment(id, name);
      if (experiment.name === name && experiment.lifecycleStage === 'active') return experiment;
    }
    throw new TrackingError(`could not create experiment '${name}' in ${this.root}: every candidate id is taken`);
  }

  async startRun(options: StartRunOptions = {}): Promise<FileStoreRun> {
    await this.init();
    const experiment =
      options.experimentName === undefined
        ? await this.claimExperiment(DEFAULT_EXPERIMENT.id, DEFAULT_EXPERIMENT.name)
        : await this.getOrCreateExperiment(options.experimentName);
    const runId = randomUUID().replaceAll('-', '');
    const runName = options.runName ?? options.tags?.[SYSTEM_TAGS.runName] ?? randomRunName();
    const info: RunInfo = {
      runId,
      runName,
      experimentId: experiment.experimentId,
      status: 'RUNNING',
      startTime: Date.now(),
      endTime: null,
      artifactUri: `${experiment.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`,
      lifecycleStage: 'active',
      userId: currentUser(),
    };
    const runDir = join(this.root, experiment.experimentId, runId);
    await mkdir(runDir);
    // MLflow writes `deleted_time: null` at creation only; later rewrites of meta.yaml drop it.
    await writeFileAtomic(join(runDir, META), emitMetaYaml({ ...runMetaRecord(info), deleted_time: null }));
    for (const sub of ['metrics', 'params', 'artifacts']) await mkdir(join(runDir, sub));
    const run = new FileStoreRun(runDir, info);
    await run.setTags(defaultRunTags(runName, options.tags));
    return run;
  }

  /** The folder of run `runId`, searching every experiment (as MLflow's `_find_run_root`). */
  private async findRunDir(runId: string): Promise<string> {
    validateRunId(runId);
    await this.init();
    for (const id of await experimentDirs(this.root)) {
      const dir = join(this.root, id, runId);
      if ((await readMeta(dir)) !== undefined) return dir;
    }
    throw new TrackingError(`Run '${runId}' not found in ${this.root}`);
  }

  async getRun(runId: string): Promise<RunRecord> {
    return readRun(await this.findRunDir(runId));
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    validateKey('metric', key);
    const file = join(await this.findRunDir(runId), 'metrics', key);
    try {
      return parseMetricFile(key, await readFile(file, 'utf8'), file);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw error;
    }
  }

  async listRuns(experimentName: string): Promise<RunRecord[]> {
    const experiment = await this.getExperimentByName(experimentName);
    if (!experiment) return [];
    const dir = join(this.root, experiment.experimentId);
    const runs: RunRecord[] = [];
    for (const name of await runDirs(dir)) {
      if ((await readMeta(join(dir, name))) === undefined) continue;
      const run = await readRun(join(dir, name));
      if (run.info.lifecycleStage === 'active') runs.push(run);
    }
    return runs.sort((a, b) => b.info.startTime - a.info.startTime || a.info.runId.localeCompare(b.info.runId));
  }
}

/** Reads a run folder: meta.yaml, params, tags and the latest value of each metric. */
async function readRun(runDir: string): Promise<RunRecord> {
  const meta = await waitForMeta(runDir);
  const info = runInfoFromMeta(meta, join(runDir, META));
  const metricFiles = await readKeyFiles(join(runDir, 'metrics'));
  const points = Object.entries(metricFiles).flatMap(([key, text]) =>
    parseMetricFile(key, text, join(runDir, 'metrics', key)),
  );
  const tags = await readKeyFiles(join(runDir, 'tags'));
  if (info.runName === '' && tags[SYSTEM_TAGS.runName]) info.runName = tags[SYSTEM_TAGS.runName];
  return { info, params: await readKeyFiles(join(runDir, 'params')), tags, metrics: latestMetrics(points) };
}

/**
 * A run in a file store; created by {@link FileStoreTracker.startRun}.
 * @example await run.logMetrics({ 'dev/acc': 0.8, 'dev/f1': 0.75 }, 200) // appends to two metric files
 */
export class FileStoreRun extends Run {
  readonly runId: string;
  readonly artifactUri: string;

  constructor(
    private readonly runDir: string,
    private readonly info: RunInfo,
  ) {
    super();
    this.runId = info.runId;
    this.artifactUri = info.artifactUri;
  }

  protected async writeBatch(batch: LogBatch): Promise<void> {
    for (const { key, value } of batch.params) await this.writeParam(key, value);
    const lines = new Map<string, string>();
    for (const point of batch.metrics) lines.set(point.key, (lines.get(point.key) ?? '') + metricLine(point));
    for (const [key, text] of lines) {
      const file = join(this.runDir, 'metrics', key);
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, text, { flag: 'a' });
    }
    for (const { key, value } of batch.tags) {
      const file = join(this.runDir, 'tags', key);
      await mkdir(dirname(file), { recursive: true });
      await writeFileAtomic(file, value);
      if (key === SYSTEM_TAGS.runName && value !== this.info.runName) {
        this.info.runName = value;
        await this.writeMeta();
      }
    }
  }

  /** Params are write-once: `wx` creates the file or fails, then an equal value is accepted. */
  private async writeParam(key: string, value: string): Promise<void> {
    const file = join(this.runDir, 'params', key);
    await mkdir(dirname(file), { recursive: true });
    try {
      await writeFile(file, value, { flag: 'wx' });
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
      const current = await readFile(file, 'utf8');
      if (current !== value) {
        throw new TrackingError(
          `Changing param values is not allowed. Param with key='${key}' was already logged with value='${current}' ` +
            `for run ID='${this.runId}'. Attempted logging new value '${value}'.`,
        );
      }
    }
  }

  private async writeMeta(): Promise<void> {
    await writeFileAtomic(join(this.runDir, META), emitMetaYaml(runMetaRecord(this.info)));
  }

  private artifactDir(): string {
    const dir = localPathFromUri(this.artifactUri);
    if (!dir)
      throw new TrackingError(
        `artifact location '${this.artifactUri}' is not a local path; the file store cannot write it`,
      );
    return dir;
  }

  protected async putArtifactFile(localFile: string, dest: string): Promise<void> {
    const target = join(this.artifactDir(), dest);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(localFile, target);
  }

  protected async putArtifactBytes(data: Uint8Array, dest: string): Promise<void> {
    const target = join(this.artifactDir(), dest);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
  }

  async end(status: EndStatus = 'FINISHED'): Promise<void> {
    this.info.status = status;
    this.info.endTime = Date.now();
    await this.writeMeta();
  }
}
