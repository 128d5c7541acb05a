/**
 * Prometheus metrics of the server through `prom-client`: request and error counters per model, a request-latency
 * histogram and a batch-size histogram. The server labels only the models it serves (unknown names share one label),
 * so the series stay bounded.
 */
import { Counter, Histogram, Registry } from 'prom-client';

/** Default latency buckets in seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Default batch-size buckets. */
export const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];

/**
 * All server metrics, in a registry of their own (not prom-client's global one: two servers in one process keep
 * separate counts).
 * @example
 * const m = new ServerMetrics();
 * m.request('eprstmt', 200, 0.012);
 * await m.render(); // "# HELP fewprompt_requests_total …\nfewprompt_requests_total{model="eprstmt",code="200"} 1\n…"
 */
export class ServerMetrics {
  /** The registry `render()` exposes; add process or custom metrics to it to serve them on `/metrics` too. */
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'fewprompt_requests_total',
    help: 'Requests served, by model and HTTP status.',
    labelNames: ['model', 'code'] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'fewprompt_request_errors_total',
    help: 'Requests answered with a 4xx or 5xx status.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'fewprompt_request_duration_seconds',
    help: 'Request latency, body read to response written.',
    labelNames: ['model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly batchSizes = new Histogram({
    name: 'fewprompt_batch_size',
    help: 'Texts per model call after micro-batching.',
    labelNames: ['model'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  private batches = 0;

  /** One finished request (`model` '' for requests that named none). */
  request(model: string, status: number, seconds: number): void {
    this.requests.inc({ model, code: String(status) });
    if (status >= 400) this.errors.inc({ model });
    this.latency.observe({ model }, seconds);
  }

  /** One model call with `size` texts (a micro-batch). */
  batch(model: string, size: number): void {
    this.batchSizes.observe({ model }, size);
    this.batches++;
  }

  /** Number of model calls so far (all models). */
  get batchCount(): number {
    return this.batches;
  }

  /** The HTTP content type of {@link ServerMetrics.render}'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The Prometheus text exposition of every metric.
   * @example (await metrics.render()).split('\n')[0]; // '# HELP fewprompt_requests_total Requests served, …'
   */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
