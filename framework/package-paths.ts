/**
 * Where the package's files are, the same from the TypeScript sources (a checkout, run through tsx) and from the
 * compiled `dist/` of the npm package: data and models sit at the package root in both, next to `package.json`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let root: string | undefined;

/**
 * A path inside the package (the folder holding fewprompt's `package.json`).
 * @example packagePath('models', 'fewprompt-zh-mini'); // → '/…/node_modules/fewprompt/models/fewprompt-zh-mini'
 */
export function packagePath(...segments: string[]): string {
  if (root === undefined) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return join(root, ...segments);
}

/**
 * The URL of a module beside `base` (an `import.meta.url`), for worker threads: `./host.ts` in the sources is
 * `./host.js` once compiled.
 * @example new Worker(moduleUrl('./worker-host.ts', import.meta.url));
 */
export function moduleUrl(relative: string, base: string): string {
  const compiled = base.endsWith('.js');
  return new URL(compiled ? relative.replace(/\.ts$/, '.js') : relative, base).href;
}

/** `file:` URL of a path inside the package. */
export function packageUrl(...segments: string[]): string {
  return pathToFileURL(packagePath(...segments)).href;
}
