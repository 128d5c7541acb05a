// The test runner's settings: `npm test` (scripts/run-tests.mjs) and `npx vitest run <path>` both read them.
import { defineConfig } from 'vitest/config';
import { TRAINING_NODE_FLAGS, trainingEnv } from './bin/training-process.mjs';

/** The folders whose `*.test.ts` files run (tests sit beside the code). */
const FOLDERS = [
  'framework',
  'templates',
  'verbalizers',
  'datasets',
  'experiments',
  'inference',
  'scripts',
  'bench',
  'docs',
];

export default defineConfig({
  test: {
    include: FOLDERS.map((folder) => `${folder}/**/*.test.ts`),
    exclude: ['**/node_modules/**', 'scratch/**', 'runs/**', 'mlruns/**'],
    // Child processes, one per test file: the native addons (onnxruntime-node, the tfjs wasm backend) keep
    // process-wide state, and some tests start worker_threads of their own.
    pool: 'forks',
    // Two test files at once (a 2-core machine); wasm-threads.test.ts starts its own threaded processes.
    maxWorkers: 2,
    // Test-only checks in every test process: strict tidy (framework/backend/testing/strict-tidy.ts).
    setupFiles: ['./scripts/vitest-setup.ts'],
    // Progress as files finish, then every skipped test with its reason (scripts/test-summary-reporter.ts).
    reporters: ['default', './scripts/test-summary-reporter.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // A test process trains: the V8 flag and malloc settings of bin/training-process.mjs, which take effect
    // only at start-up, so they go on the fork's command line and environment.
    execArgv: [...TRAINING_NODE_FLAGS],
    env: {
      FEWPROMPT_LOG: process.env['FEWPROMPT_LOG'] ?? 'warn',
      // One wasm thread per test process: two files run at once.
      FEWPROMPT_WASM_THREADS: process.env['FEWPROMPT_WASM_THREADS'] ?? '1',
      GLIBC_TUNABLES: trainingEnv(process.env)['GLIBC_TUNABLES'],
    },
  },
});
