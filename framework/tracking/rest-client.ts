/**
 * A small typed client for MLflow's REST API 2.0 (https://mlflow.org/docs/latest/rest-api.html), using
 * Node's global `fetch`: auth from `MLFLOW_TRACKING_TOKEN` (Bearer) or `MLFLOW_TRACKING_USERNAME` /
 * `MLFLOW_TRACKING_PASSWORD` (Basic), retries with exponential backoff on 429/5xx and network errors,
 * and errors that name the endpoint and the server's `error_code` and `message`.
 */
import { TrackingError } from '../errors.js';
import { log } from '../log.js';
import type { RunStatus } from './base.js';

/**
 * `{key, value}` as MLflow's `RunTag`, `Param` and `ExperimentTag`.
 * @example { key: 'mlflow.runName', value: 'seed-1' }
 */
export interface KeyValueJson {
  key: string;
  value: string;
}
/**
 * MLflow's `Metric`. Int64 fields may come back as strings; NaN/±Infinity travel as `"NaN"`, `"Infinity"`.
 * @example { key: 'loss', value: 'NaN', timestamp: 1718000000000, step: 3 }
 */
export interface MetricJson {
  key: string;
  value: number | string;
  timestamp: number | string;
  step?: number | string;
}
/**
 * MLflow's `RunInfo`.
 * @example (await client.call('runs/get', { run_id })).run.info.status // → 'FINISHED'
 */
export interface RunInfoJson {
  run_id?: string;
  run_uuid?: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: RunStatus;
  start_time?: number | string;
  end_time?: number | string;
  artifact_uri: string;
  lifecycle_stage?: string;
}
/**
 * MLflow's `Run`.
 * @example (await client.call('runs/get', { run_id })).run.data?.metrics // → [{ key: 'acc', value: 0.9, … }]
 */
export interface RunJson {
  info: RunInfoJson;
  data?: { metrics?: MetricJson[]; params?: KeyValueJson[]; tags?: KeyValueJson[] };
}
/**
 * MLflow's `Experiment`.
 * @example (await client.call('experiments/get-by-name', { experiment_name: 'x' })).experiment.experiment_id // → '1'
 */
export interface ExperimentJson {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  last_update_time?: number | string;
  creation_time?: number | string;
  tags?: KeyValueJson[];
}

/**
 * The endpoints fewprompt uses, keyed by path under `/api/2.0/mlflow/`.
 * @example type Req = MlflowEndpoints['runs/log-batch']['request']; // { run_id: string; metrics?: MetricJson[]; … }
 */
export interface MlflowEndpoints {
  'experiments/get-by-name': {
    method: 'GET';
    request: { experiment_name: string };
    response: { experiment: ExperimentJson };
  };
  'experiments/create': {
    method: 'POST';
    request: { name: string; artifact_location?: string; tags?: KeyValueJson[] };
    response: { experiment_id: string };
  };
  'runs/create': {
    method: 'POST';
    request: { experiment_id: string; user_id?: string; run_name?: string; start_time: number; tags?: KeyValueJson[] };
    response: { run: RunJson };
  };
  'runs/update': {
    method: 'POST';
    request: { run_id: string; status: RunStatus; end_time?: number; run_name?: string };
    response: { run_info: RunInfoJson };
  };
  'runs/log-batch': {
    method: 'POST';
    request: { run_id: string; metrics?: MetricJson[]; params?: KeyValueJson[]; tags?: KeyValueJson[] };
    response: Record<string, never>;
  };
  'runs/get': { method: 'GET'; request: { run_id: string }; response: { run: RunJson } };
  'runs/search': {
    method: 'POST';
    request: {
      experiment_ids: string[];
      filter?: string;
      run_view_type?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
      max_results?: number;
      order_by?: string[];
      page_token?: string;
    };
    response: { runs?: RunJson[]; next_page_token?: string };
  };
  'metrics/get-history': {
    method: 'GET';
    request: { run_id: string; metric_key: string; max_results?: number; page_token?: string };
    response: { metrics?: MetricJson[]; next_page_token?: string };
  };
}
/**
 * An endpoint path under `/api/2.0/mlflow/`.
 * @example const e: MlflowEndpoint = 'runs/log-batch';
 */
export type MlflowEndpoint = keyof MlflowEndpoints;

/**
 * HTTP method of each endpoint, from MLflow's REST reference.
 * @example ENDPOINT_METHODS['runs/get'] // → 'GET'
 */
export const ENDPOINT_METHODS: { readonly [E in MlflowEndpoint]: MlflowEndpoints[E]['method'] } = Object.freeze({
  'experiments/get-by-name': 'GET',
  'experiments/create': 'POST',
  'runs/create': 'POST',
  'runs/update': 'POST',
  'runs/log-batch': 'POST',
  'runs/get': 'GET',
  'runs/search': 'POST',
  'metrics/get-history': 'GET',
});

/** Statuses worth retrying (MLflow's own client retries these). */
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * Connection and retry settings.
 * @example new MlflowRestClient({ baseUrl: 'http://127.0.0.1:5000', token: 't', maxRetries: 3, backoffMs: 200 })
 */
export interface RestClientOptions {
  /** Tracking server base URL, e.g. `http://127.0.0.1:5000`. */
  baseUrl: string;
  /** Bearer token (`MLFLOW_TRACKING_TOKEN`). */
  token?: string;
  /** Basic auth (`MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`). */
  username?: string;
  password?: string;
  /** Retries after the first attempt; default 5. */
  maxRetries?: number;
  /** First backoff delay in ms, doubled each retry; default 500. */
  backoffMs?: number;
  /** Per-request timeout in ms; default 120 000. */
  timeoutMs?: number;
}

/**
 * Calls MLflow REST endpoints with typed request and response bodies.
 * @example
 * const client = MlflowRestClient.fromEnv('http://127.0.0.1:5000');
 * const { experiment_id } = await client.call('experiments/create', { name: 'pet-eprstmt' });
 * // → { experiment_id: '1' }
 */
export class MlflowRestClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: RestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = {};
    if (options.token) this.headers.authorization = `Bearer ${options.token}`;
    else if (options.username !== undefined && options.password !== undefined) {
      this.headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    }
  }

  /** A client for `baseUrl` with credentials from the standard MLflow environment variables. */
  static fromEnv(
    baseUrl: string,
    env: NodeJS.ProcessEnv = process.env,
    overrides: Partial<RestClientOptions> = {},
  ): MlflowRestClient {
    return new MlflowRestClient({
      baseUrl,
      token: env.MLFLOW_TRACKING_TOKEN,
      username: env.MLFLOW_TRACKING_USERNAME,
      password: env.MLFLOW_TRACKING_PASSWORD,
      ...overrides,
    });
  }

  /** Calls `/api/2.0/mlflow/<endpoint>`: GET requests go as a query string, POST requests as a JSON body. */
  async call<E extends MlflowEndpoint>(
    endpoint: E,
    request: MlflowEndpoints[E]['request'],
  ): Promise<MlflowEndpoints[E]['response']> {
    const method = ENDPOINT_METHODS[endpoint];
    let path = `/api/2.0/mlflow/${endpoint}`;
    let body: string | undefined;
    if (method === 'GET') {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(request)) if (value !== undefined) query.set(key, String(value));
      path += `?${query.toString()}`;
    } else {
      body = JSON.stringify(request);
    }
    const json = await this.send(method, path, body, 'application/json');
    // The shape is the server's promise (MLflow's REST reference); callers read fields defensively.
    return json as MlflowEndpoints[E]['response'];
  }

  /** Uploads one artifact through the server's artifact proxy (`PUT /api/2.0/mlflow-artifacts/artifacts/<path>`). */
  async putArtifact(path: string, data: Uint8Array, contentType: string): Promise<void> {
    const encoded = path
      .split('/')
      .filter((p) => p !== '')
      .map(encodeURIComponent)
      .join('/');
    await this.send('PUT', `/api/2.0/mlflow-artifacts/artifacts/${encoded}`, data, contentType);
  }

  /** One request with retries; resolves to the parsed JSON object (`{}` for an empty body). */
  private async send(
    method: string,
    path: string,
    body: string | Uint8Array | undefined,
    contentType: string,
  ): Promise<object> {
    const { maxRetries = 5, backoffMs = 500, timeoutMs = 120_000 } = this.options;
    const where = `MLflow ${method} ${path.split('?')[0]}`;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': contentType }) },
          // A copy in its own ArrayBuffer: fetch's BodyInit (in the DOM lib a consumer may compile with) takes no
          // view of a SharedArrayBuffer-able buffer.
          body: typeof body === 'string' || body === undefined ? body : body.slice(),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        failure = error;
      }
      const retryable = response === undefined || RETRY_STATUS.has(response.status);
      if (!retryable || attempt >= maxRetries) {
        if (response === undefined) {
          throw new TrackingError(`${where} failed after ${attempt + 1} attempts: ${describe(failure)}`, {
            endpoint: path,
          });
        }
        return this.parse(response, where, path);
      }
      const retryAfter = Number(response?.headers.get('retry-after'));
      const delay =
        Number.isFinite(retryAfter) && retryAfter > 0
          ? retryAfter * 1000
          : backoffMs * 2 ** attempt * (1 + Math.random() / 4);
      log.debug(
        `${where}: ${response ? `HTTP ${response.status}` : describe(failure)}; ` +
          `retry ${attempt + 1}/${maxRetries} in ${Math.round(delay)} ms`,
      );
      await response?.body?.cancel();
      await new Promise((done) => setTimeout(done, Math.min(delay, 60_000)));
    }
  }

  private async parse(response: Response, where: string, path: string): Promise<object> {
    const text = await response.text();
    let json: unknown = {};
    try {
      if (text.trim() !== '') json = JSON.parse(text);
    } catch {
      if (response.ok)
        throw new TrackingError(`${where}: expected a JSON response, got '${text.slice(0, 200)}'`, { endpoint: path });
    }
    if (!response.ok) {
      const code = field(json, 'error_code');
      const message = field(json, 'message') ?? text.slice(0, 500);
      throw new TrackingError(`${where} failed: HTTP ${response.status}${code ? ` ${code}` : ''}: ${message}`, {
        endpoint: path,
        status: response.status,
        ...(code ? { errorCode: code } : {}),
      });
    }
    if (typeof json !== 'object' || json === null)
      throw new TrackingError(`${where}: expected a JSON object, got '${text.slice(0, 200)}'`);
    return json;
  }
}

function field(json: unknown, key: string): string | undefined {
  if (typeof json !== 'object' || json === null || !(key in json)) return undefined;
  const value: unknown = Reflect.get(json, key);
  return typeof value === 'string' ? value : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
