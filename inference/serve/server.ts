/**
 * `PredictionServer`: exported bundles (and any other {@link ServedModel}, e.g. Taskflow tasks) over
 * HTTP on node:http.
 *
 *     POST /v1/models/NAME:predict   {"texts": [...]} → {"model", "predictions": [...]}
 *                                    ({"inputs": [{...}]} for a model that takes records: question_answering)
 *     GET  /                         the playground: a page to try the mounted models in a browser
 *     GET  /v1/models                names and descriptions of the mounted models
 *     GET  /healthz                  {"status": "ok"} (503 "draining" during shutdown)
 *     GET  /metrics                  Prometheus text: requests, errors, latency and batch-size histograms
 *
 * Texts of concurrent requests are micro-batched per model. Bad bodies get 400 with the field path,
 * oversize ones 413, unknown models 404; the server keeps serving. `close()` stops accepting, lets
 * in-flight requests finish, then releases the models.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, RequestError } from '../../framework/errors.js';
import type { Classifier, Prediction } from '../runtime/classifier.js';
import { MicroBatcher } from './batcher.js';
import { ServerMetrics } from './metrics.js';
import { parsePredictRequest, type RecordCheck } from './schema.js';
import { PLAYGROUND_HTML } from './playground.js';

/** Anything the server can mount: texts in, one JSON-safe result per text out. */
export interface ServedModel {
  predict(texts: string[]): Promise<unknown[]>;
  /**
   * The pieces a text is scored in (a classifier's windows) and how their results join into the text's. With it the
   * server batches pieces, not texts: a model call then holds at most `maxBatch` pieces however long one text is (one
   * 20,000-character text is ~170 windows, a call of seconds that a one-text request had to wait behind).
   */
  split?(text: string): { pieces: string[]; join(results: unknown[]): unknown };
  describe?(): Record<string, unknown>;
  release?(): Promise<void>;
  /**
   * A model that takes records instead of texts (`question_answering`: `{"question", "context"}`): requests send them
   * as `{"inputs": [...]}`, each checked here before it is queued (what it throws is the 400's message), then carried
   * to `predict` as its JSON text.
   */
  readonly checkRecord?: RecordCheck;
}

/** Options of {@link PredictionServer}. */
export interface ServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Largest request body in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Most texts per request (default 256). */
  readonly maxTexts?: number;
  /**
   * Longest text in characters (default 20 000; longer texts are split
   * by the model, but a limit keeps one request from holding the model).
   */
  readonly maxTextChars?: number;
  /**
   * Micro-batching: most texts (a classifier's windows) per model call (default 32) and longest wait (default 5 ms).
   */
  readonly maxBatch?: number;
  readonly maxWaitMs?: number;
  /**
   * Most characters per model call (default 8192; a longer text goes alone): with texts taken round-robin across
   * requests, a small request waits for at most one such call behind a large one.
   */
  readonly maxBatchChars?: number;
  /** A request's compute budget: most characters over all its texts (default 100 000). */
  readonly maxRequestChars?: number;
  /**
   * Required on every route but /healthz, as `Authorization: Bearer KEY` or `X-API-Key: KEY` (compared in constant
   * time); unset = no authentication (fine on loopback, the default host).
   */
  readonly apiKey?: string;
  /**
   * On close, how long in-flight requests may take before their connections are cut (default 10 s); requests that
   * arrive meanwhile are answered 503.
   */
  readonly drainSeconds?: number;
}

/**
 * A served classifier: `{text, label, score}` per text.
 * @example
 * new PredictionServer({ eprstmt: classifierModel(await loadClassifier('bundles/eprstmt')) });
 */
export function classifierModel(clf: Classifier): ServedModel {
  const served = (p: Prediction) => ({ text: p.text, label: p.label, score: p.score, probabilities: p.probabilities });
  return {
    predict: async (texts) => (await clf.predict(texts, { batchSize: 64 })).map(served),
    split: (text) => {
      const pieces = clf.splitter.split(text);
      return { pieces, join: (results) => served(clf.join(text, results as Prediction[])) };
    },
    describe: () => ({
      kind: 'classifier',
      method: clf.manifest.method,
      labels: clf.labels,
      precision: clf.manifest.model.precision,
      maxSeqLen: clf.manifest.maxSeqLen,
    }),
    release: () => clf.release(),
  };
}

/**
 * A served Taskflow task: its own output per text (segments, tags, entities, parses, corrections…).
 * @example
 * new PredictionServer({ seg: taskflowModel(Taskflow('word_segmentation'), 'word_segmentation') });
 */
export function taskflowModel(
  flow: ((texts: string[]) => Promise<unknown>) & { config: { mode?: string } },
  task: string,
): ServedModel {
  return {
    predict: async (texts) => (await flow(texts)) as unknown[],
    describe: () => ({ kind: 'taskflow', task, mode: flow.config.mode }),
  };
}

/**
 * A served Taskflow task that takes records (`question_answering`), served on `{"inputs": [...]}`: `check` is the
 * task's input check (`QuestionAnsweringTask.checkInput`), run on each record before it is queued.
 * @example
 * const qa = Taskflow('question_answering');
 * new PredictionServer({ qa: recordTaskflowModel(qa, 'question_answering', QuestionAnsweringTask.checkInput) });
 */
export function recordTaskflowModel<In>(
  flow: ((inputs: In[]) => Promise<unknown>) & { config: { mode?: string } },
  task: string,
  check: (item: unknown, path: string) => In,
): ServedModel {
  return {
    predict: async (texts) =>
      (await flow(texts.map((t, i) => check(JSON.parse(t) as unknown, `inputs.${i}`)))) as unknown[],
    describe: () => ({ kind: 'taskflow', task, mode: flow.config.mode, input: 'records' }),
    checkRecord: check,
  };
}

/**
 * The HTTP server.
 * @example
 * const server = new PredictionServer({ eprstmt: classifierModel(clf) }, { port: 8080 });
 * await server.listen(); // POST http://127.0.0.1:8080/v1/models/eprstmt:predict {"texts": ["很好"]}
 * await server.close();  // drains in-flight requests
 */
export class PredictionServer {
  readonly metrics = new ServerMetrics();
  private readonly http: Server;
  private readonly batchers = new Map<string, MicroBatcher<string, unknown>>();
  private closing = false;
  private active = 0;
  private idle: (() => void)[] = [];
  private readonly limits: { maxBodyBytes: number; maxTexts: number; maxTextChars: number; maxRequestChars: number };

  constructor(
    private readonly models: Readonly<Record<string, ServedModel>>,
    private readonly options: ServerOptions = {},
  ) {
    this.limits = {
      maxBodyBytes: options.maxBodyBytes ?? 1 << 20,
      maxTexts: options.maxTexts ?? 256,
      maxTextChars: options.maxTextChars ?? 20000,
      maxRequestChars: options.maxRequestChars ?? 100_000,
    };
    for (const [name, model] of Object.entries(models)) {
      this.batchers.set(
        name,
        new MicroBatcher((texts: string[]) => model.predict(texts), {
          maxBatch: options.maxBatch ?? 32,
          maxWaitMs: options.maxWaitMs ?? 5,
          onBatch: (n) => this.metrics.batch(name, n),
          cost: (text) => (text as string).length,
          maxBatchCost: options.maxBatchChars ?? 8192,
        }),
      );
    }
    this.http = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.http.keepAliveTimeout = 5000;
  }

  /**
   * Starts listening; resolves with the bound port. A port in use, a port out of range or a host that does not
   * resolve rejects with a ConfigError naming it (one line, not Node's stack).
   */
  listen(): Promise<number> {
    const port = this.options.port ?? 8080;
    const host = this.options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      this.http.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
      try {
        this.http.listen(port, host, () => resolve((this.http.address() as AddressInfo).port));
      } catch (error) {
        reject(listenError(error as NodeJS.ErrnoException, host, port));
      }
    });
  }

  /**
   * Graceful shutdown: new requests are answered 503 while in-flight ones finish, for at most `drainSeconds`; then
   * every connection is closed (a client trickling a body cannot keep the server alive) and the models released.
   */
  async close(): Promise<void> {
    // Idle keep-alive connections are not cut now: one may hold a request the event loop has not read yet (a model
    // call blocks the loop), which would be dropped unanswered. Requests of the drain get 503 with `connection:
    // close`; every connection left is closed at the end.
    this.closing = true;
    const deadline = new Promise<void>((resolve) =>
      setTimeout(resolve, 1000 * (this.options.drainSeconds ?? 10)).unref(),
    );
    const drained = (async () => {
      // One turn of the event loop first, so requests that have arrived but are not read yet count as in flight.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.active > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      await Promise.all([...this.batchers.values()].map((b) => b.drain()));
    })();
    await Promise.race([drained, deadline]);
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
    for (const m of Object.values(this.models)) await m.release?.();
  }

  /**
   * A request's results. A model that splits texts has its pieces batched (round-robin across requests, like texts),
   * so a one-text request waits for at most one call of `maxBatch` pieces behind a maximal request.
   */
  private async score(name: string, batcher: MicroBatcher<string, unknown>, texts: string[]): Promise<unknown[]> {
    const split = this.models[name]?.split;
    if (!split) return batcher.submit(texts);
    const plans: ReturnType<typeof split>[] = [];
    let unyielded = 0;
    for (const text of texts) {
      plans.push(split(text));
      // Splitting tokenizes (~0.5 s for a maximal request): let other requests and model calls run every ~10 ms.
      unyielded += text.length;
      if (unyielded > 2000) {
        unyielded = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const results = await batcher.submit(plans.flatMap((p) => p.pieces));
    let at = 0;
    return plans.map((p) => p.join(results.slice(at, (at += p.pieces.length))));
  }

  /** True when the request carries the API key (or none is required). */
  private authorized(req: IncomingMessage): boolean {
    const key = this.options.apiKey;
    if (key === undefined) return true;
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers['authorization'] ?? '')?.[1];
    const given = bearer ?? (typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined);
    if (given === undefined) return false;
    const a = createHash('sha256').update(given).digest();
    const b = createHash('sha256').update(key).digest();
    return timingSafeEqual(a, b);
  }

  private send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      ...(this.closing ? { connection: 'close' } : {}),
    });
    res.end(text);
  }

  private readBody(req: IncomingMessage): Promise<string> {
    const max = this.limits.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max)
      return Promise.reject(new RequestError(`request body of ${declared} bytes exceeds the ${max}-byte limit`, 413));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) {
          req.removeAllListeners('data');
          req.resume();
          reject(new RequestError(`request body exceeds the ${max}-byte limit`, 413));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        try {
          resolve(UTF8.decode(Buffer.concat(chunks)));
        } catch {
          reject(new RequestError('request body is not valid UTF-8', 400));
        }
      });
      req.on('error', reject);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    this.active++;
    let model = '';
    let status = 200;
    let counted = true;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const predict = /^\/v1\/models\/([^/:]+):predict$/.exec(url.pathname);
      // The playground page is static (it asks for the key itself): served without one, like /healthz.
      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
        this.send(res, 200, PLAYGROUND_HTML, 'text/html; charset=utf-8');
        counted = false;
        return;
      }
      if (url.pathname !== '/healthz' && !this.authorized(req)) {
        throw new RequestError('missing or wrong API key: send Authorization: Bearer KEY or X-API-Key: KEY', 401);
      }
      if (req.method === 'GET' && url.pathname === '/healthz') {
        status = this.closing ? 503 : 200;
        this.send(res, status, { status: this.closing ? 'draining' : 'ok', models: Object.keys(this.models) });
      } else if (req.method === 'GET' && url.pathname === '/metrics') {
        this.send(res, 200, await this.metrics.render(), this.metrics.contentType);
        counted = false; // scrapes are not requests of a model
      } else if (req.method === 'GET' && url.pathname === '/v1/models') {
        this.send(res, 200, {
          models: Object.fromEntries(Object.entries(this.models).map(([n, m]) => [n, m.describe?.() ?? {}])),
        });
      } else if (predict) {
        const name = decodeModelName(predict[1]!);
        // Metrics label only served models: every unknown name is counted under one label (no unbounded series).
        model = this.batchers.has(name) ? name : UNKNOWN_MODEL_LABEL;
        if (req.method !== 'POST') throw new RequestError(`use POST for ${url.pathname}`, 405);
        if (this.closing) throw new RequestError('server is shutting down', 503);
        const batcher = this.batchers.get(name);
        if (!batcher)
          throw new RequestError(
            `unknown model '${name.slice(0, 200)}'; mounted: ${Object.keys(this.models).join(', ')}`,
            404,
          );
        const body = parsePredictRequest(await this.readBody(req), this.limits, this.models[name]?.checkRecord);
        this.send(res, 200, { model, predictions: await this.score(name, batcher, body.texts) });
      } else {
        throw new RequestError(
          `no route for ${req.method} ${url.pathname}; try POST /v1/models/NAME:predict, GET /healthz, GET /metrics`,
          404,
        );
      }
    } catch (error) {
      status = error instanceof RequestError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      this.send(res, status, {
        error: message,
        ...(error instanceof RequestError && error.path !== undefined ? { path: error.path } : {}),
      });
    } finally {
      if (counted) this.metrics.request(model, status, (performance.now() - t0) / 1000);
      this.active--;
      if (this.active === 0) for (const w of this.idle.splice(0)) w();
    }
  }
}

/** The metrics label of requests naming a model that is not served. */
export const UNKNOWN_MODEL_LABEL = '(unknown)';

/** The model name of a predict path, percent-decoded; malformed escapes are the client's error (400), not ours. */
function decodeModelName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new RequestError(`model name '${raw.slice(0, 200)}' is not valid percent-encoding`, 400);
  }
}

/** Node's listen errors as one line that names the address and says what to do. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigError(`port ${port} on ${host} is already in use; pick another --port (0 = any free port)`);
    case 'EACCES':
      return new ConfigError(
        `no permission to listen on ${host}:${port} (ports below 1024 need privileges); pick another --port`,
      );
    case 'EADDRNOTAVAIL':
      return new ConfigError(`--host ${host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(`--host ${host} does not resolve to an address`);
    case 'ERR_SOCKET_BAD_PORT':
      return new ConfigError(`--port ${port} is not a port; expected 0 to 65535`);
    default:
      return new ConfigError(`cannot listen on ${host}:${port}: ${error.message.split('\n')[0]}`);
  }
}

/** Strict UTF-8: bytes that are not UTF-8 are a client error, not silently U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
