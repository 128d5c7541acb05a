// Worker-thread entry: Node's workers do not inherit tsx's loader, so register it here, then load the
// TypeScript replica host named in workerData.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';
register();
await import(workerData.host);
