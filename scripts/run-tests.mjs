#!/usr/bin/env node
// The one test command (`npm test`, `.ci/run`): typecheck, then every `*.test.ts` beside the code,
// under Node's own test runner with tsx loading TypeScript. Extra arguments filter test files by substring.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folders = [
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
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const skipTypecheck = process.argv.includes('--no-typecheck');

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = folders
  .flatMap((f) => {
    try {
      return collect(join(root, f), []);
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

if (!skipTypecheck) {
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'],
    { cwd: root, stdio: 'inherit' },
  );
  if (tsc.status !== 0) {
    console.error('typecheck failed');
    process.exit(tsc.status ?? 1);
  }
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  {
    // Two test files run at once: one wasm thread each (wasm-threads.test.ts starts its own threaded processes).
    // FEWPROMPT_STRICT_TIDY: a tf.tidy returning large host arrays throws (framework/backend/tf.ts).
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      FEWPROMPT_LOG: process.env.FEWPROMPT_LOG ?? 'warn',
      FEWPROMPT_WASM_THREADS: process.env.FEWPROMPT_WASM_THREADS ?? '1',
      FEWPROMPT_STRICT_TIDY: '1',
    },
  },
);
process.exit(run.status ?? 1);
