/**
 * A local MLflow tracking-server stand-in for tests: a `node:http` server on 127.0.0.1 (random port) that
 * checks every request against MLflow's REST API 2.0 reference (method, path, field names and types,
 * required fields, `runs/log-batch` limits), records it, keeps runs in memory and answers with the JSON
 * shapes a real server returns. Violations are answered with HTTP 400 `INVALID_PARAMETER_VALUE` and kept
 * in `violations`, so a test can assert there were none.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type FieldType = 'string' | 'int64' | 'int32' | 'kv[]' | 'metric[]' | 'string[]' | 'status' | 'view';
interface Spec {
  method: 'GET' | 'POST';
  fields: Record<string, { type: FieldType; required?: boolean }>;
}

/** Request fields per endpoint, from https://mlflow.org/docs/latest/rest-api.html. */
const SPECS: Record<string, Spec> = {
  'experiments/get-by-name': { method: 'GET', fields: { experiment_name: { type: 'string', required: true } } },
  'experiments/create': {
    method: 'POST',
    fields: { name: { type: 'string', required: true }, artifact_location: { type: 'string' }, tags: { type: 'kv[]' } },
  },
  'runs/create': {
    method: 'POST',
    fields: {
      experiment_id: { type: 'string' },
      user_id: { type: 'string' },
      run_name: { type: 'string' },
      start_time: { type: 'int64' },
      tags: { type: 'kv[]' },
    },
  },
  'runs/update': {
    method: 'POST',
    fields: {
      run_id: { type: 'string', required: true },
      status: { type: 'status' },
      end_time: { type: 'int64' },
      run_name: { type: 'string' },
    },
  },
  'runs/log-batch': {
    method: 'POST',
    fields: {
      run_id: { type: 'string', required: true },
      metrics: { type: 'metric[]' },
      params: { type: 'kv[]' },
      tags: { type: 'kv[]' },
    },
  },
  'runs/get': { method: 'GET', fields: { run_id: { type: 'string', required: true } } },
  'runs/search': {
    method: 'POST',
    fields: {
      experiment_ids: { type: 'string[]' },
      filter: { type: 'string' },
      run_view_type: { type: 'view' },
      max_results: { type: 'int32' },
      order_by: { type: 'string[]' },
      page_token: { type: 'string' },
    },
  },
  'metrics/get-history': {
    method: 'GET',
    fields: {
      run_id: { type: 'string', required: true },
      metric_key: { type: 'string', required: true },
      max_results: { type: 'int32' },
      page_token: { type: 'string' },
    },
  },
};

const STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, get: boolean) =>
  get && typeof v === 'string' ? /^-?\d+$/.test(v) : Number.isSafeInteger(v);
const isDouble = (v: unknown) => typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity';
const isKv = (v: unknown) => isObject(v) && typeof v.key === 'string' && typeof v.value === 'string';
const isMetric = (v: unknown) =>
  isObject(v) &&
  typeof v.key === 'string' &&
  isDouble(v.value) &&
  isInt(v.timestamp, false) &&
  Number(v.timestamp) >= 0 &&
  isInt(v.step, false);

function checkField(type: FieldType, value: unknown, get: boolean): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int64':
    case 'int32':
      return isInt(value, get);
    case 'status':
      return typeof value === 'string' && STATUSES.includes(value);
    case 'view':
      return value === 'ACTIVE_ONLY' || value === 'DELETED_ONLY' || value === 'ALL';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'kv[]':
      return Array.isArray(value) && value.every(isKv);
    case 'metric[]':
      return Array.isArray(value) && value.every(isMetric);
  }
}

/**
 * One request as the stub saw it.
 * @example stub.requests[0]
 * // → { method: 'GET', path: '/api/2.0/mlflow/experiments/get-by-name?experiment_name=x', … }
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  raw: Buffer;
}
interface StubRun {
  info: Record<string, unknown>;
  metrics: Record<string, unknown>[];
  params: Map<string, string>;
  tags: Map<string, string>;
}

/**
 * Behaviour switches for a test.
 * @example await startMlflowStub({ authorization: 'Bearer s3cret' })
 */
export interface StubOptions {
  /** Expected `authorization` header; other requests get 401. */
  authorization?: string;
  /** Artifact URI root for new runs; default the proxied `mlflow-artifacts:`. */
  artifactRoot?: string;
}

/**
 * A running stub.
 * @example stub.failNext(2, 503); await run.logMetric('loss', 1); // retried twice, then accepted
 */
export interface MlflowStub {
  url: string;
  requests: RecordedRequest[];
  violations: string[];
  /** Uploaded artifacts by path under `mlflow-artifacts/artifacts/`. */
  artifacts: Map<string, { body: Buffer; contentType: string | undefined }>;
  /** The next `count` requests fail with `status` (e.g. 503) before being looked at. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

type KeyValue = { key: string; value: string };
interface StubExperiment {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
  artifact_location: string;
}

const send = (res: ServerResponse, status: number, body: object): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const fail = (res: ServerResponse, status: number, code: string, message: string): void =>
  send(res, status, { error_code: code, message });
const runJson = (run: StubRun) => ({
  info: run.info,
  data: {
    metrics: latest(run.metrics),
    params: [...run.params].map(([key, value]) => ({ key, value })),
    tags: [...run.tags].map(([key, value]) => ({ key, value })),
  },
});

/** What is wrong with a request to `endpoint` by MLflow's reference (empty when nothing is). */
function requestProblems(endpoint: string, spec: Spec, req: RecordedRequest, body: Record<string, unknown>): string[] {
  const get = spec.method === 'GET';
  const problems: string[] = [];
  if (req.method !== spec.method) problems.push(`${endpoint}: method ${req.method}, expected ${spec.method}`);
  if (!get && req.headers['content-type'] !== 'application/json')
    problems.push(`${endpoint}: content-type ${req.headers['content-type']}`);
  for (const [name, field] of Object.entries(spec.fields)) {
    if (body[name] === undefined) {
      if (field.required) problems.push(`${endpoint}: missing required field '${name}'`);
      continue;
    }
    if (!checkField(field.type, body[name], get))
      problems.push(`${endpoint}: field '${name}' is not ${field.type}: ${JSON.stringify(body[name])}`);
  }
  for (const name of Object.keys(body))
    if (!(name in spec.fields)) problems.push(`${endpoint}: unknown field '${name}'`);
  if (endpoint === 'runs/log-batch') {
    const n = (k: string) => (Array.isArray(body[k]) ? (body[k] as unknown[]).length : 0);
    if (n('metrics') > 1000 || n('params') > 100 || n('tags') > 100 || n('metrics') + n('params') + n('tags') > 1000) {
      problems.push(`runs/log-batch: over limits (${n('metrics')} metrics, ${n('params')} params, ${n('tags')} tags)`);
    }
  }
  return problems;
}

/** The stub's in-memory server state and its endpoint handlers. */
class StubState {
  readonly experiments = new Map<string, StubExperiment>();
  readonly runs = new Map<string, StubRun>();
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  readonly artifacts: MlflowStub['artifacts'] = new Map();
  failures = { count: 0, status: 503 };

  constructor(private readonly options: StubOptions) {
    this.experiments.set('0', {
      experiment_id: '0',
      name: 'Default',
      lifecycle_stage: 'active',
      artifact_location: 'mlflow-artifacts:/0',
    });
  }

  /** Records a request and answers it (failing it first when `failNext` or the authorization says so). */
  receive(recorded: RecordedRequest, res: ServerResponse): void {
    this.requests.push(recorded);
    if (this.failures.count > 0) {
      this.failures.count--;
      fail(res, this.failures.status, 'TEMPORARILY_UNAVAILABLE', 'try again');
      return;
    }
    if (this.options.authorization !== undefined && recorded.headers.authorization !== this.options.authorization) {
      fail(res, 401, 'UNAUTHENTICATED', 'You are not authenticated.');
      return;
    }
    this.handle(recorded, res);
  }

  private handle(req: RecordedRequest, res: ServerResponse): void {
    const url = new URL(req.path, 'http://stub');
    if (url.pathname.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) {
      this.uploadArtifact(req, url, res);
      return;
    }
    const endpoint = url.pathname.replace(/^\/api\/2\.0\/mlflow\//, '');
    const spec = SPECS[endpoint];
    if (!spec || !url.pathname.startsWith('/api/2.0/mlflow/')) {
      fail(res, 404, 'ENDPOINT_NOT_FOUND', `no endpoint ${url.pathname}`);
      return;
    }
    const body: Record<string, unknown> = spec.method === 'GET' ? Object.fromEntries(url.searchParams) : req.body;
    const problems = requestProblems(endpoint, spec, req, body);
    if (problems.length > 0) {
      this.violations.push(...problems);
      fail(res, 400, 'INVALID_PARAMETER_VALUE', problems.join('; '));
      return;
    }
    const run = typeof body.run_id === 'string' ? this.runs.get(body.run_id) : undefined;
    if (typeof body.run_id === 'string' && !run) {
      fail(res, 404, 'RESOURCE_DOES_NOT_EXIST', `Run '${body.run_id}' not found`);
      return;
    }
    this.answer(endpoint, body, run, res);
  }

  private uploadArtifact(req: RecordedRequest, url: URL, res: ServerResponse): void {
    if (req.method !== 'PUT') {
      fail(res, 405, 'BAD_REQUEST', `artifact upload must be PUT, got ${req.method}`);
      return;
    }
    this.artifacts.set(decodeURIComponent(url.pathname.slice('/api/2.0/mlflow-artifacts/artifacts/'.length)), {
      body: req.raw,
      contentType: req.headers['content-type'],
    });
    send(res, 200, {});
  }

  /** Answers a valid request to `endpoint`; `run` is the run `run_id` names, if it names one. */
  private answer(endpoint: string, body: Record<string, unknown>, run: StubRun | undefined, res: ServerResponse): void {
    switch (endpoint) {
      case 'experiments/get-by-name': {
        const found = [...this.experiments.values()].find((e) => e.name === body.experiment_name);
        if (found) send(res, 200, { experiment: found });
        else {
          const name = String(body.experiment_name);
          fail(res, 404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${name}'`);
        }
        return;
      }
      case 'experiments/create':
        this.createExperiment(body, res);
        return;
      case 'runs/create':
        this.createRun(body, res);
        return;
      case 'runs/log-batch':
        logBatch(run, body, res);
        return;
      case 'runs/update':
        if (run) Object.assign(run.info, { status: body.status, end_time: body.end_time });
        send(res, 200, { run_info: run?.info });
        return;
      case 'runs/get':
        if (run) send(res, 200, { run: runJson(run) });
        return;
      case 'metrics/get-history':
        send(res, 200, { metrics: run?.metrics.filter((m) => m.key === body.metric_key) ?? [] });
        return;
      case 'runs/search':
        this.searchRuns(body, res);
        return;
    }
  }

  private createExperiment(body: Record<string, unknown>, res: ServerResponse): void {
    if ([...this.experiments.values()].some((e) => e.name === body.name)) {
      fail(res, 400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${String(body.name)}' already exists.`);
      return;
    }
    const id = String(this.experiments.size);
    this.experiments.set(id, {
      experiment_id: id,
      name: String(body.name),
      lifecycle_stage: 'active',
      artifact_location: `mlflow-artifacts:/${id}`,
    });
    send(res, 200, { experiment_id: id });
  }

  private createRun(body: Record<string, unknown>, res: ServerResponse): void {
    const expId = String(body.experiment_id ?? '0');
    if (!this.experiments.has(expId)) {
      fail(res, 404, 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${expId} exists`);
      return;
    }
    const runId = randomUUID().replaceAll('-', '');
    const tags = new Map(((body.tags as KeyValue[] | undefined) ?? []).map((t) => [t.key, t.value]));
    const root = this.options.artifactRoot ?? `mlflow-artifacts:/${expId}`;
    const info = {
      run_uuid: runId,
      run_id: runId,
      run_name: body.run_name,
      experiment_id: expId,
      user_id: body.user_id,
      status: 'RUNNING',
      start_time: body.start_time,
      artifact_uri: `${root}/${runId}/artifacts`,
      lifecycle_stage: 'active',
    };
    const created: StubRun = { info, metrics: [], params: new Map(), tags };
    this.runs.set(runId, created);
    send(res, 200, { run: runJson(created) });
  }

  private searchRuns(body: Record<string, unknown>, res: ServerResponse): void {
    const ids = (body.experiment_ids as string[] | undefined) ?? [];
    const all = [...this.runs.values()]
      .filter((r) => ids.includes(String(r.info.experiment_id)))
      .sort((a, b) => Number(b.info.start_time) - Number(a.info.start_time));
    const max = Number(body.max_results ?? 1000);
    const offset = Number(body.page_token ?? 0);
    const page = all.slice(offset, offset + max).map(runJson);
    send(res, 200, {
      runs: page,
      ...(offset + max < all.length ? { next_page_token: String(offset + max) } : {}),
    });
  }
}

function logBatch(run: StubRun | undefined, body: Record<string, unknown>, res: ServerResponse): void {
  for (const p of (body.params as KeyValue[] | undefined) ?? []) {
    const old = run?.params.get(p.key);
    if (old !== undefined && old !== p.value) {
      fail(res, 400, 'INVALID_PARAMETER_VALUE', `Changing param values is not allowed. Param with key='${p.key}'`);
      return;
    }
    run?.params.set(p.key, p.value);
  }
  for (const t of (body.tags as KeyValue[] | undefined) ?? []) run?.tags.set(t.key, t.value);
  run?.metrics.push(...((body.metrics as Record<string, unknown>[] | undefined) ?? []));
  send(res, 200, {});
}

/**
 * Starts the stub on a random port.
 * @example const stub = await startMlflowStub(); new RestTracker(stub.url); … await stub.close();
 */
export async function startMlflowStub(options: StubOptions = {}): Promise<MlflowStub> {
  const state = new StubState(options);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: Record<string, unknown> = {};
      const isJson = req.headers['content-type'] === 'application/json';
      try {
        const parsed: unknown = isJson && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
        if (isObject(parsed)) body = parsed;
      } catch {
        state.violations.push(`${req.url}: body is not JSON`);
      }
      state.receive({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, raw }, res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    violations: state.violations,
    artifacts: state.artifacts,
    failNext(count, status) {
      state.failures = { count, status };
    },
    close: () => new Promise<void>((done, reject) => server.close((e) => (e ? reject(e) : done()))),
  };
}

function latest(metrics: Record<string, unknown>[]): Record<string, unknown>[] {
  const best = new Map<string, Record<string, unknown>>();
  for (const m of metrics) {
    const b = best.get(String(m.key));
    if (
      !b ||
      Number(m.step) > Number(b.step) ||
      (Number(m.step) === Number(b.step) && Number(m.timestamp) >= Number(b.timestamp))
    ) {
      best.set(String(m.key), m);
    }
  }
  return [...best.values()];
}
