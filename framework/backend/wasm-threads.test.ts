import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { wasmThreadsFromEnv } from './wasm-threads.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const probe = (threads: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'framework/backend/testing/wasm-threads-probe.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, FEWPROMPT_BACKEND: 'wasm', FEWPROMPT_WASM_THREADS: threads, FEWPROMPT_LOG: 'warn' },
  });
  assert.equal(
    r.status,
    0,
    `probe with ${threads} thread(s) exited with ${r.status} ` +
      `(signal ${r.signal}; a timeout means its pthreads kept it alive): ${r.stderr}`,
  );
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    backend: string;
    threads: number;
    product: number[];
    hidden: number[];
  };
};

test(`wasm threads: the threaded build runs under Node with 2 threads, gives the single-threaded results bit for bit, \
and lets the process exit`, () => {
  const [one, two] = [probe('1'), probe('2')];
  assert.deepEqual([one.backend, one.threads], ['wasm', 1]);
  assert.deepEqual([two.backend, two.threads], ['wasm', 2]);
  assert.deepEqual(two.product, one.product);
  assert.deepEqual(two.hidden, one.hidden);
});

test('wasm threads from the environment: explicit count, else every core (≤ 4) on the main thread', () => {
  assert.equal(wasmThreadsFromEnv({ FEWPROMPT_WASM_THREADS: '3' }), 3);
  assert.ok(wasmThreadsFromEnv({ FEWPROMPT_WASM_THREADS: 'x' }) >= 1);
  assert.ok(wasmThreadsFromEnv({}) <= 4);
});
