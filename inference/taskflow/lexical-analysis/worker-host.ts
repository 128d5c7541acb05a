/**
 * Worker side of {@link LacWorkerPool}: loads the model, builds its own {@link LacTagger} (one ORT
 * session with one intra-op thread) and answers `tag` messages with tag ids, one job at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LacBackendKind } from './backend.js';
import { LacTagger } from './tagger.js';
import { loadLacWeights } from './weights.js';

/** What the pool passes as `workerData` (`host` is read by the boot script). */
export interface LacWorkerData {
  readonly host: string;
  readonly dir: string;
  readonly backend: LacBackendKind;
}
/** A job: sequences laid end to end, as {@link LacTagger.tag} takes them. */
export interface LacJob {
  readonly id: number;
  readonly ids: Int32Array;
  readonly offsets: Int32Array;
}
/** A job's answer. */
export type LacJobReply =
  | { readonly id: number; readonly tags: Int32Array }
  | { readonly id: number; readonly error: string };

const data = workerData as LacWorkerData;
const port = parentPort!;
process.env.FEWPROMPT_LOG ??= 'warn';
const tagger = await LacTagger.create(loadLacWeights(data.dir), { backend: data.backend, threads: 1 });
let queue = Promise.resolve();

port.on('message', (job: LacJob | { readonly close: true }) => {
  if ('close' in job) {
    // Graceful exit: finish queued work, release the ORT session, then let the thread end by itself.
    queue = queue.then(async () => {
      await tagger.release();
      port.close();
    });
    return;
  }
  queue = queue.then(async () => {
    try {
      const tags = await tagger.tag(job.ids, job.offsets);
      const reply: LacJobReply = { id: job.id, tags };
      port.postMessage(reply, tags.buffer instanceof ArrayBuffer ? [tags.buffer] : []);
    } catch (error) {
      port.postMessage({ id: job.id, error: (error as Error).stack ?? String(error) } satisfies LacJobReply);
    }
  });
});
