/**
 * `RestTracker`: runs on an MLflow tracking server through REST API 2.0. Params, metrics and tags go
 * through `runs/log-batch`, split to MLflow's per-request limits; artifacts go through the server's
 * artifact proxy (`mlflow-artifacts:` URIs, the default of `mlflow server` in MLflow 2) or, for a
 * `file:` artifact location, straight to that shared folder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { ConfigError, TrackingError } from '../errors.js';
import { Run, Tracker } from './base.js';
import type {
  EndStatus,
  KeyValue,
  LogBatch,
  MetricPoint,
  RunRecord,
  RunStatus,
  StartRunOptions,
  TrackerConfig,
} from './base.js';
import { SYSTEM_TAGS, currentUser, defaultRunTags, randomRunName } from './context.js';
import { localPathFromUri } from './file-store.js';
import { MlflowRestClient } from './rest-client.js';
import type { MetricJson, RestClientOptions, RunJson } from './rest-client.js';
import { BATCH_LIMITS, validateExperimentName, validateKey, validateRunId } from './validation.js';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.yaml': 'application/yaml',
};

/** NaN and ±Infinity are not JSON numbers; protobuf's JSON mapping spells them as strings. */
function metricValueJson(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return value;
}

function metricFromJson(m: MetricJson): MetricPoint {
  return { key: m.key, value: Number(m.value), timestamp: Number(m.timestamp), step: Number(m.step ?? 0) };
}

function runIdOf(info: RunJson['info']): string {
  const id = info.run_id ?? info.run_uuid;
  if (!id) throw new TrackingError(`MLflow returned a run without run_id: ${JSON.stringify(info).slice(0, 200)}`);
  return id;
}

/**
 * Converts MLflow's `Run` JSON to a {@link RunRecord}.
 * @example runRecordFromJson((await client.call('runs/get', { run_id })).run).metrics // → { acc: 0.9 }
 */
export function runRecordFromJson(run: RunJson): RunRecord {
  const { info, data = {} } = run;
  const pairs = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, kv.value]));
  const tags = pairs(data.tags);
  return {
    info: {
      runId: runIdOf(info),
      runName: info.run_name ?? tags[SYSTEM_TAGS.runName] ?? '',
      experimentId: String(info.experiment_id),
      status: info.status,
      startTime: Number(info.start_time ?? 0),
      endTime: info.end_time === undefined || info.end_time === null ? null : Number(info.end_time),
      artifactUri: info.artifact_uri,
      lifecycleStage: info.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      userId: info.user_id ?? '',
    },
    params: pairs(data.params),
    tags,
    metrics: Object.fromEntries((data.metrics ?? []).map((m) => [m.key, Number(m.value)])),
  };
}

/**
 * Tracks runs on an MLflow tracking server.
 * @example
 * const tracker = new RestTracker('http://127.0.0.1:5000'); // auth from MLFLOW_TRACKING_TOKEN / _USERNAME+_PASSWORD
 * const run = await tracker.startRun({ experimentName: 'pet-eprstmt' });
 * await run.logMetrics({ 'dev/acc': 0.87 }, 100); // POST /api/2.0/mlflow/runs/log-batch
 * await run.end(); // POST /api/2.0/mlflow/runs/update {status: 'FINISHED'}
 */
export class RestTracker extends Tracker {
  static readonly kind = 'rest';
  readonly client: MlflowRestClient;
  private readonly experimentIds = new Map<string, Promise<string>>();

  constructor(
    readonly uri: string,
    options: Partial<RestClientOptions> = {},
    env: NodeJS.ProcessEnv = process.env,
  ) {
    super();
    if (!/^https?:\/\//.test(uri)) throw new ConfigError(`RestTracker needs an http(s) URL, got '${uri}'`);
    this.client = MlflowRestClient.fromEnv(uri, env, options);
  }

  static fromConfig(config: TrackerConfig): RestTracker {
    if (!config.uri) throw new ConfigError(`tracker config {type: 'rest'} needs a 'uri' (the tracking server URL)`);
    return new RestTracker(config.uri);
  }

  getConfig(): TrackerConfig {
    return { type: RestTracker.kind, uri: this.uri };
  }

  /** The id of experiment `name` (created if missing), cached per tracker. */
  experimentId(name: string): Promise<string> {
    validateExperimentName(name);
    let id = this.experimentIds.get(name);
    if (!id) {
      id = this.findOrCreateExperiment(name);
      id.catch(() => this.experimentIds.delete(name));
      this.experimentIds.set(name, id);
    }
    return id;
  }

  private async findExperiment(name: string): Promise<string | undefined> {
    try {
      const { experiment } = await this.client.call('experiments/get-by-name', { experiment_name: name });
      return experiment.lifecycle_stage === 'deleted' ? undefined : String(experiment.experiment_id);
    } catch (error) {
      if (error instanceof TrackingError && error.details.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw error;
    }
  }

  private async findOrCreateExperiment(name: string): Promise<string> {
    const existing = await this.findExperiment(name);
    if (existing !== undefined) return existing;
    try {
      return String((await this.client.call('experiments/create', { name })).experiment_id);
    } catch (error) {
      // Another process created it between our lookup and create.
      if (!(error instanceof TrackingError && error.details.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw error;
      const id = await this.findExperiment(name);
      if (id === undefined) throw error;
      return id;
    }
  }

  async startRun(options: StartRunOptions = {}): Promise<RestRun> {
    const experimentId = options.experimentName === undefined ? '0' : await this.experimentId(options.experimentName);
    const runName = options.runName ?? options.tags?.[SYSTEM_TAGS.runName] ?? randomRunName();
    const tags = Object.entries(defaultRunTags(runName, options.tags)).map(([key, value]) => ({ key, value }));
    for (const tag of tags) validateKey('tag', tag.key);
    const { run } = await this.client.call('runs/create', {
      experiment_id: experimentId,
      user_id: currentUser(),
      run_name: runName,
      start_time: Date.now(),
      tags,
    });
    return new RestRun(this.client, runIdOf(run.info), run.info.artifact_uri);
  }

  async getRun(runId: string): Promise<RunRecord> {
    validateRunId(runId);
    return runRecordFromJson((await this.client.call('runs/get', { run_id: runId })).run);
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    validateRunId(runId);
    validateKey('metric', key);
    const points: MetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.client.call('metrics/get-history', {
        run_id: runId,
        metric_key: key,
        ...(pageToken ? { page_token: pageToken } : {}),
      });
      points.push(...(page.metrics ?? []).map(metricFromJson));
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return points;
  }

  async listRuns(experimentName: string): Promise<RunRecord[]> {
    const experimentId = await this.findExperiment(experimentName);
    if (experimentId === undefined) return [];
    const runs: RunRecord[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.client.call('runs/search', {
        experiment_ids: [experimentId],
        run_view_type: 'ACTIVE_ONLY',
        max_results: 1000,
        order_by: ['attributes.start_time DESC'],
        ...(pageToken ? { page_token: pageToken } : {}),
      });
      runs.push(...(page.runs ?? []).map(runRecordFromJson));
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return runs;
  }
}

/**
 * A run on a tracking server; created by {@link RestTracker.startRun}.
 * @example await run.logArtifact('out/confusion.png', 'plots')
 * // PUT …/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/plots/confusion.png
 */
export class RestRun extends Run {
  constructor(
    private readonly client: MlflowRestClient,
    readonly runId: string,
    readonly artifactUri: string,
  ) {
    super();
  }

  /** Sends the batch in requests within MLflow's limits: ≤100 params, ≤100 tags, ≤1000 items, ≤1 MB. */
  protected async writeBatch(batch: LogBatch): Promise<void> {
    const metrics = [...batch.metrics];
    const params = [...batch.params];
    const tags = [...batch.tags];
    while (metrics.length + params.length + tags.length > 0) {
      const p = params.splice(0, BATCH_LIMITS.params);
      const t = tags.splice(0, BATCH_LIMITS.tags);
      const m = metrics.splice(0, Math.min(BATCH_LIMITS.metrics, BATCH_LIMITS.total - p.length - t.length));
      await this.sendBatch({ metrics: m, params: p, tags: t });
    }
  }

  private async sendBatch(batch: LogBatch): Promise<void> {
    const request = {
      run_id: this.runId,
      metrics: batch.metrics.map((m) => ({
        key: m.key,
        value: metricValueJson(m.value),
        timestamp: m.timestamp,
        step: m.step,
      })),
      params: batch.params,
      tags: batch.tags,
    };
    const count = batch.metrics.length + batch.params.length + batch.tags.length;
    if (count > 1 && Buffer.byteLength(JSON.stringify(request)) > BATCH_LIMITS.bytes) {
      const half = (list: readonly unknown[]) => Math.ceil(list.length / 2);
      const [hm, hp, ht] = [half(batch.metrics), half(batch.params), half(batch.tags)];
      await this.sendBatch({
        metrics: batch.metrics.slice(0, hm),
        params: batch.params.slice(0, hp),
        tags: batch.tags.slice(0, ht),
      });
      await this.sendBatch({
        metrics: batch.metrics.slice(hm),
        params: batch.params.slice(hp),
        tags: batch.tags.slice(ht),
      });
      return;
    }
    await this.client.call('runs/log-batch', request);
  }

  protected async putArtifactFile(localFile: string, dest: string): Promise<void> {
    await this.putArtifactBytes(await readFile(localFile), dest);
  }

  protected async putArtifactBytes(data: Uint8Array, dest: string): Promise<void> {
    const uri = this.artifactUri;
    if (uri.startsWith('mlflow-artifacts:')) {
      // mlflow-artifacts:/<exp>/<run>/artifacts or mlflow-artifacts://host:port/<exp>/<run>/artifacts
      const path = uri.slice('mlflow-artifacts:'.length).replace(/^\/\/[^/]*/, '');
      await this.client.putArtifact(
        `${path}/${dest}`,
        data,
        CONTENT_TYPES[extname(dest).toLowerCase()] ?? 'application/octet-stream',
      );
      return;
    }
    const local = localPathFromUri(uri);
    if (!local) {
      throw new TrackingError(
        `cannot upload artifact '${dest}': the run's artifact URI '${uri}' is neither proxied by the tracking server ` +
          `(mlflow-artifacts:, see 'mlflow server --serve-artifacts') nor a local file: path`,
      );
    }
    await mkdir(dirname(join(local, dest)), { recursive: true });
    await writeFile(join(local, dest), data);
  }

  async end(status: EndStatus = 'FINISHED'): Promise<void> {
    const update: { run_id: string; status: RunStatus; end_time: number } = {
      run_id: this.runId,
      status,
      end_time: Date.now(),
    };
    await this.client.call('runs/update', update);
  }
}
