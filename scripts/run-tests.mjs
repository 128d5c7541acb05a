#!/usr/bin/env node
// The one test command (`npm test`, `.ci/run`): typecheck, the style check (when scripts/check-style.mjs is
// there), then every `*.test.ts` beside the code under vitest (vitest.config.ts: folders, forks, timeouts, env).
// Extra arguments go to `vitest run`: a bare word filters test files by substring. `--no-typecheck` skips tsc.
// The output ends with one line: `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const vitestArgs = args.filter((a) => a !== '--no-typecheck');

/** Runs `node ...argv` in the repository root with the output shown; exits with its status if that fails. */
function step(what, argv) {
  const run = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`${what} failed`);
    process.exit(run.status || 1);
  }
}

if (!args.includes('--no-typecheck')) {
  step('typecheck', [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json']);
}
if (existsSync(join(root, 'scripts/check-style.mjs'))) step('style check', [join(root, 'scripts/check-style.mjs')]);

// scripts/test-summary-reporter.ts (named in vitest.config.ts) writes the counts here.
const dir = mkdtempSync(join(tmpdir(), 'fewprompt-tests-'));
const summaryFile = join(dir, 'summary.json');
const run = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...vitestArgs], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FEWPROMPT_TEST_SUMMARY: summaryFile },
});
const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : undefined;
rmSync(dir, { recursive: true, force: true });
if (!summary) {
  console.error(`vitest reported no results (exit ${run.status ?? run.signal})`);
  process.exit(run.status || 1);
}
const interrupted = summary.reason === 'interrupted' ? ' (interrupted)' : '';
console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped${interrupted}`);
process.exit(run.status || (summary.failed > 0 || interrupted ? 1 : 0));
