/**
 * Prometheus metrics of the server, rendered in the text exposition format (version 0.0.4):
 * request and error counters per model, a request-latency histogram and a batch-size histogram.
 */

/** Default latency buckets in seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Default batch-size buckets. */
export const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];

/** A cumulative histogram. */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    this.buckets.forEach((b, i) => {
      if (value <= b) this.counts[i]!++;
    });
  }

  get total(): number {
    return this.count;
  }

  /** Exposition lines for metric `name` with extra `labels` (e.g. `model="a"`). */
  render(name: string, labels = ''): string[] {
    const sep = labels ? ',' : '';
    return [
      ...this.buckets.map((b, i) => `${name}_bucket{${labels}${sep}le="${b}"} ${this.counts[i]}`),
      `${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`,
      `${name}_sum{${labels}} ${Number(this.sum.toFixed(6))}`,
      `${name}_count{${labels}} ${this.count}`,
    ];
  }
}

/**
 * All server metrics.
 * @example
 * const m = new ServerMetrics();
 * m.request('eprstmt', 200, 0.012);
 * m.render(); // "# HELP fewprompt_requests_total …\nfewprompt_requests_total{model="eprstmt",code="200"} 1\n…"
 */
export class ServerMetrics {
  private readonly requests = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly batches = new Map<string, Histogram>();

  /** One finished request (`model` '' for requests that named none). */
  request(model: string, status: number, seconds: number): void {
    const key = `model="${escapeLabel(model)}",code="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (status >= 400) {
      const e = `model="${escapeLabel(model)}"`;
      this.errors.set(e, (this.errors.get(e) ?? 0) + 1);
    }
    const l = `model="${escapeLabel(model)}"`;
    if (!this.latency.has(l)) this.latency.set(l, new Histogram(LATENCY_BUCKETS));
    this.latency.get(l)!.observe(seconds);
  }

  /** One model call with `size` texts (a micro-batch). */
  batch(model: string, size: number): void {
    const l = `model="${escapeLabel(model)}"`;
    if (!this.batches.has(l)) this.batches.set(l, new Histogram(BATCH_BUCKETS));
    this.batches.get(l)!.observe(size);
  }

  /** Number of model calls so far (all models). */
  get batchCount(): number {
    return [...this.batches.values()].reduce((n, h) => n + h.total, 0);
  }

  render(): string {
    const lines = [
      '# HELP fewprompt_requests_total Requests served, by model and HTTP status.',
      '# TYPE fewprompt_requests_total counter',
      ...[...this.requests].map(([k, v]) => `fewprompt_requests_total{${k}} ${v}`),
      '# HELP fewprompt_request_errors_total Requests answered with a 4xx or 5xx status.',
      '# TYPE fewprompt_request_errors_total counter',
      ...[...this.errors].map(([k, v]) => `fewprompt_request_errors_total{${k}} ${v}`),
      '# HELP fewprompt_request_duration_seconds Request latency, body read to response written.',
      '# TYPE fewprompt_request_duration_seconds histogram',
      ...[...this.latency].flatMap(([k, h]) => h.render('fewprompt_request_duration_seconds', k)),
      '# HELP fewprompt_batch_size Texts per model call after micro-batching.',
      '# TYPE fewprompt_batch_size histogram',
      ...[...this.batches].flatMap(([k, h]) => h.render('fewprompt_batch_size', k)),
    ];
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
