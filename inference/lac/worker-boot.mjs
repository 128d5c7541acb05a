// Worker-thread entry: Node's workers do not inherit tsx's loader, so register it here, then load the
// TypeScript host named in workerData (as framework/parallel/worker-boot.mjs does).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';
register();
await import(workerData.host);
