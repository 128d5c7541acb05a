/**
 * Dynamic micro-batching: texts from concurrent requests queue up and go to the model together —
 * a batch closes when it reaches `maxBatch` texts or `maxWaitMs` after its first text arrived.
 * One batch runs at a time per model (the runtime already uses every core for one batch), and
 * the next batch fills while it runs. A request's texts may span batches; it resolves when all have.
 */

/** Options of {@link MicroBatcher}. */
export interface BatcherOptions {
  /** Most texts per model call (default 32). */
  readonly maxBatch?: number;
  /** Longest a text waits for company, in ms (default 5). */
  readonly maxWaitMs?: number;
  /** Called with each batch's size (metrics). */
  readonly onBatch?: (size: number) => void;
}

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Batches calls of `run`.
 * @example
 * const b = new MicroBatcher((texts: string[]) => clf.predict(texts), { maxBatch: 32, maxWaitMs: 5 });
 * await Promise.all([b.submit(['a']), b.submit(['b', 'c'])]); // one call of run with 3 texts
 */
export class MicroBatcher<I, O> {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly run: (items: I[]) => Promise<O[]>, private readonly options: BatcherOptions = {}) {
    this.maxBatch = options.maxBatch ?? 32;
    this.maxWaitMs = options.maxWaitMs ?? 5;
  }

  /** Queues items; resolves with their results in order. */
  submit(items: readonly I[]): Promise<O[]> {
    const results = items.map((item) => new Promise<O>((resolve, reject) => { this.queue.push({ item, resolve, reject }); }));
    this.inFlight += items.length;
    this.schedule();
    return Promise.all(results).finally(() => {
      this.inFlight -= items.length;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /** Resolves once every submitted item has been answered. */
  drain(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => { this.idleWaiters.push(resolve); });
  }

  private schedule(): void {
    if (this.running) return; // the running batch reschedules when it ends
    if (this.queue.length >= this.maxBatch) { this.flush(); return; }
    if (this.queue.length > 0 && this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
  }

  private flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.options.onBatch?.(batch.length);
    this.running = this.run(batch.map((p) => p.item)).then(
      (out) => batch.forEach((p, i) => p.resolve(out[i]!)),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    ).finally(() => {
      this.running = undefined;
      // Texts that arrived during the run have waited long enough: send them now.
      if (this.queue.length > 0) this.flush();
    });
  }
}
