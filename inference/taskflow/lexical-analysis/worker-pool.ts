/**
 * A pool of worker threads, each with its own {@link LacTagger}: ONNX Runtime's Node binding runs a
 * session on the calling thread, so a second core is only reachable through a second thread.
 * Jobs go to whichever worker is free, in the order they were queued. Idle workers are unref'd, so
 * a forgotten pool never keeps the process alive; {@link LacWorkerPool.close} ends them at once.
 */
import { Worker } from 'node:worker_threads';
import type { LacBackendKind } from './backend.js';
import type { LacJob, LacJobReply, LacWorkerData } from './worker-host.js';
import { moduleUrl } from '../../../framework/package-paths.js';

interface Pending {
  readonly job: LacJob;
  resolve(tags: Int32Array): void;
  reject(error: Error): void;
}
interface Slot {
  readonly worker: Worker;
  current: Pending | undefined;
  exited: boolean;
}

/**
 * Worker threads that tag batches in parallel.
 * @example
 * const pool = new LacWorkerPool(SHIPPED_LAC_MODEL, 'onnx', 2);
 * await pool.tag(Int32Array.of(170, 1402), Int32Array.of(0, 2)); // Int32Array [ 28, 29 ]
 * await pool.close();
 */
export class LacWorkerPool {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  /** Starts `size` workers that load the model in `dir` with `backend`. */
  constructor(
    dir: string,
    backend: LacBackendKind,
    readonly size: number,
  ) {
    const boot = new URL('../../../framework/workers/worker-boot.mjs', import.meta.url);
    const host = moduleUrl('./worker-host.ts', import.meta.url);
    this.slots = Array.from({ length: size }, () => {
      const worker = new Worker(boot, { workerData: { host, dir, backend } satisfies LacWorkerData });
      const slot: Slot = { worker, current: undefined, exited: false };
      worker.on('message', (reply: LacJobReply) => this.settle(slot, reply));
      worker.on('error', (error: unknown) =>
        this.fail(slot, error instanceof Error ? error : new Error(String(error))),
      );
      worker.on('exit', (code) => {
        slot.exited = true;
        this.fail(slot, new Error(`LAC worker exited with code ${code}`));
      });
      worker.unref();
      return slot;
    });
  }

  /**
   * Workers whose thread has not exited yet.
   * @example
   * await pool.close();
   * pool.alive; // 0
   */
  get alive(): number {
    return this.slots.filter((s) => !s.exited).length;
  }

  /**
   * Tag ids for sequences laid end to end, computed on the next free worker.
   * @example
   * (await pool.tag(ids, offsets)).length === ids.length; // true
   */
  tag(ids: Int32Array, offsets: Int32Array): Promise<Int32Array> {
    if (this.closed) return Promise.reject(new Error('LacWorkerPool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, ids, offsets }, resolve, reject });
      this.pump();
    });
  }

  /** Ends every worker; queued and running jobs reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('LacWorkerPool closed'));
    // Ask each worker to release its ORT session and exit; terminate() only as a fallback, since tearing a thread
    // down under a live native session can abort the whole process ("terminate called … Napi::Error").
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const fallback = setTimeout(() => {
              void s.worker.terminate().then(() => resolve());
            }, 5_000);
            s.worker.once('exit', () => {
              clearTimeout(fallback);
              resolve();
            });
            s.worker.postMessage({ close: true });
          }),
      ),
    );
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.current !== undefined) continue;
      const next = this.queue.shift()!;
      slot.current = next;
      slot.worker.ref(); // a job in flight keeps the process alive until its answer arrives
      slot.worker.postMessage(next.job);
    }
  }

  private settle(slot: Slot, reply: LacJobReply): void {
    const pending = slot.current;
    slot.current = undefined;
    slot.worker.unref();
    if (pending === undefined || pending.job.id !== reply.id) return;
    if ('error' in reply) pending.reject(new Error(`LAC worker failed: ${reply.error}`));
    else pending.resolve(reply.tags);
    this.pump();
  }

  private fail(slot: Slot, error: Error): void {
    const pending = slot.current;
    slot.current = undefined;
    if (!this.closed) {
      // A dead worker takes the pool down: reject everything rather than hang on a missing thread.
      this.closed = true;
      for (const p of this.queue.splice(0)) p.reject(error);
      for (const s of this.slots) if (s !== slot) void s.worker.terminate();
    }
    pending?.reject(error);
  }
}
