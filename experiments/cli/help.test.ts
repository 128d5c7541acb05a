import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { resolveSource, staticImportClosure } from '../../framework/testing/static-imports.js';
import { COMMANDS } from './index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Packages that take a noticeable part of a second to load: a command's `--help` must reach none of them. */
const HEAVY = [
  '@tensorflow/',
  'onnxruntime-node',
  '@node-rs/jieba',
  '@huggingface/tokenizers',
  'opencc-js',
  'bullmq',
  'arktype',
  'prom-client',
  '@bufbuild/protobuf',
];

/** The command modules `index.ts` loads (with `import()`, when a command runs). */
function commandModules(): string[] {
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  const modules = [...readFileSync(index, 'utf8').matchAll(/import\(\s*'(\.\/[\w-]+\.js)'\s*\)/g)];
  assert.equal(modules.length, COMMANDS.length, 'one import() per command in index.ts');
  return modules.map((m) => resolveSource(index, m[1]!));
}

test('`fewprompt --help` and every `COMMAND --help` load no model code (tfjs, ONNX Runtime, Taskflow, …)', () => {
  const heavy: string[] = [];
  const entries = [fileURLToPath(new URL('./main.ts', import.meta.url)), ...commandModules()];
  for (const entry of entries) {
    for (const [pkg, importer] of staticImportClosure(entry).packages) {
      if (HEAVY.some((h) => pkg.startsWith(h)))
        heavy.push(`${relative(ROOT, entry)}: ${pkg} (imported by ${relative(ROOT, importer)})`);
    }
  }
  assert.deepEqual(heavy, [], `import these inside run() instead:\n${heavy.join('\n')}`);
});

test('every flag a command accepts is listed in its --help', async () => {
  const missing: string[] = [];
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    for (const flag of Object.keys(command.options)) {
      if (!new RegExp(`--${flag}(?![\\w-])`).test(command.usage)) missing.push(`${entry.name} --${flag}`);
    }
  }
  assert.deepEqual(missing, [], `flags not in --help:\n${missing.join('\n')}`);
});
