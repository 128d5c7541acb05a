// Worker-thread entry: Node's workers do not inherit tsx's loader. In the TypeScript sources register it here, then
// load the host module named in workerData (data-parallel replicas, LAC's worker pool); compiled hosts load directly.
import { workerData } from 'node:worker_threads';

if (workerData.host.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.host);
