/**
 * What a module loads at import time, read from the sources: the tests that keep `--help` and the Taskflow catalog
 * light (`experiments/cli/help.test.ts`, `inference/taskflow/catalog.test.ts`) walk it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Static imports (not `import type`, not `import()`) and re-exports of a module's source. */
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/**
 * The source file a relative specifier names (`./x.js` is `./x.ts` in the sources).
 * @example resolveSource('/repo/experiments/cli/index.ts', './train.js'); // → '/repo/experiments/cli/train.ts'
 */
export function resolveSource(from: string, specifier: string): string {
  const target = join(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), target];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`${from}: cannot resolve ${specifier}`);
  return found;
}

/**
 * Every module and package a module loads at import time, directly or through the modules it imports statically.
 * @example staticImportClosure('/repo/experiments/cli/main.ts').packages; // Map { 'some-package' → first importer }
 */
export function staticImportClosure(entry: string): { modules: Set<string>; packages: Map<string, string> } {
  const packages = new Map<string, string>(); // package → the first file that imports it
  const modules = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (modules.has(file)) continue;
    modules.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (specifier!.startsWith('.')) todo.push(resolveSource(file, specifier!));
      else if (!specifier!.startsWith('node:') && !packages.has(specifier!)) packages.set(specifier!, file);
    }
  }
  return { modules, packages };
}
