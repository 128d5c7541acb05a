/**
 * Dynamic micro-batching: texts from concurrent requests queue up and go to the model together —
 * a batch closes when it reaches `maxBatch` texts (or `maxBatchCost`, e.g. characters) or `maxWaitMs` after its
 * first text arrived. Batches take texts round-robin across the waiting requests, so a large request cannot starve
 * small ones: a one-text request waits for at most the model call in flight. One batch runs at a time per model (the
 * runtime already uses every core for one batch), and the next batch fills while it runs. A request's texts may span
 * batches; it resolves when all have.
 */

/** Options of {@link MicroBatcher}. */
export interface BatcherOptions {
  /** Most texts per model call (default 32). */
  readonly maxBatch?: number;
  /** Longest a text waits for company, in ms (default 5). */
  readonly maxWaitMs?: number;
  /** Called with each batch's size (metrics). */
  readonly onBatch?: (size: number) => void;
  /** Cost of one item (default 1); a batch holds at most `maxBatchCost` of it, and an item costing more goes alone. */
  readonly cost?: (item: unknown) => number;
  readonly maxBatchCost?: number;
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
  /** Waiting items per request, in arrival order of the requests; batches take from them in turn. */
  private requests: Pending<I, O>[][] = [];
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 32;
    this.maxWaitMs = options.maxWaitMs ?? 5;
  }

  /** Queues items; resolves with their results in order. */
  submit(items: readonly I[]): Promise<O[]> {
    const pending: Pending<I, O>[] = [];
    const results = items.map(
      (item) =>
        new Promise<O>((resolve, reject) => {
          pending.push({ item, resolve, reject });
        }),
    );
    if (pending.length > 0) this.requests.push(pending);
    this.waiting += pending.length;
    this.inFlight += items.length;
    this.schedule();
    return Promise.all(results).finally(() => {
      this.inFlight -= items.length;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /** Resolves once every submitted item has been answered. */
  drain(): Promise<void> {
    return this.inFlight === 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          this.idleWaiters.push(resolve);
        });
  }

  private schedule(): void {
    if (this.running) return; // the running batch reschedules when it ends
    if (this.waiting >= this.maxBatch) {
      this.flush();
      return;
    }
    if (this.waiting > 0 && this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
  }

  /** The next batch: one item from each waiting request in turn, within `maxBatch` and `maxBatchCost`. */
  private take(): Pending<I, O>[] {
    const cost = this.options.cost ?? (() => 1);
    const budget = this.options.maxBatchCost ?? Infinity;
    const batch: Pending<I, O>[] = [];
    const served = new Set<Pending<I, O>[]>();
    let spent = 0;
    for (let progress = true; progress && batch.length < this.maxBatch && spent < budget; ) {
      progress = false;
      for (const request of this.requests) {
        if (request.length === 0 || batch.length >= this.maxBatch || spent >= budget) continue;
        const c = cost(request[0]!.item);
        if (batch.length > 0 && spent + c > budget) continue; // an item costlier than the budget goes alone
        batch.push(request.shift()!);
        served.add(request);
        spent += c;
        progress = true;
      }
    }
    // Requests served this time go to the back: the next batch starts with the others, so none starves.
    const left = this.requests.filter((r) => r.length > 0);
    this.requests = [...left.filter((r) => !served.has(r)), ...left.filter((r) => served.has(r))];
    this.waiting -= batch.length;
    return batch;
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running || this.waiting === 0) return;
    const batch = this.take();
    this.options.onBatch?.(batch.length);
    this.running = this.run(batch.map((p) => p.item))
      .then(
        (out) => batch.forEach((p, i) => p.resolve(out[i]!)),
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      )
      .finally(() => {
        this.running = undefined;
        // Texts that arrived during the run have waited long enough: send them next — after one turn of the event
        // loop, so requests whose bytes came in during the run (a model call may block the loop) are read and join
        // this batch rather than wait for one more call.
        if (this.waiting > 0) setImmediate(() => this.flush());
      });
  }
}
