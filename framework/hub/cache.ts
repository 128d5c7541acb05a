/**
 * The local model cache: `$FEWPROMPT_HOME/models/<org>--<name>/<revision>/` (default home
 * `~/.cache/fewprompt`). A directory counts as complete once its marker file lists what was fetched;
 * files are only ever renamed into place whole, so a crash leaves no truncated file behind.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../checkpoint/atomic.js';

/** Name of the marker written last into a complete cache directory. */
export const COMPLETE_MARKER = '.fewprompt-complete.json';

/** What the marker records: the files fetched, and the optional ones the Hub did not have (404). */
export interface CacheMarker {
  id: string;
  revision: string;
  present: string[];
  absent: string[];
}

/**
 * The cache root: `home` if given, else `$FEWPROMPT_HOME`, else `~/.cache/fewprompt`.
 *
 * @example
 * fewpromptHome(); // → '/home/me/.cache/fewprompt'
 */
export function fewpromptHome(home?: string): string {
  return home ?? process.env['FEWPROMPT_HOME'] ?? join(homedir(), '.cache', 'fewprompt');
}

/**
 * The cache directory of one model revision.
 *
 * @example
 * modelCacheDir('/c', 'hfl/chinese-roberta-wwm-ext', 'main'); // → '/c/models/hfl--chinese-roberta-wwm-ext/main'
 */
export function modelCacheDir(home: string, id: string, revision: string): string {
  return join(home, 'models', id.replace('/', '--'), encodeURIComponent(revision));
}

/**
 * Reads the marker of a cache directory; `undefined` when absent, unreadable, or when a file it
 * lists has gone missing (the directory is then incomplete again).
 *
 * @example
 * readMarker('/c/models/org--tiny/main')?.present; // → ['config.json', 'vocab.txt', 'model.safetensors']
 */
export function readMarker(dir: string): CacheMarker | undefined {
  const path = join(dir, COMPLETE_MARKER);
  if (!existsSync(path)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(path, 'utf8')) as Partial<CacheMarker>;
    const present = Array.isArray(marker.present) ? marker.present.filter((f) => typeof f === 'string') : [];
    const absent = Array.isArray(marker.absent) ? marker.absent.filter((f) => typeof f === 'string') : [];
    if (!present.every((file) => existsSync(join(dir, file)))) return undefined;
    return { id: String(marker.id), revision: String(marker.revision), present, absent };
  } catch {
    return undefined;
  }
}

/**
 * Writes the marker (atomically), declaring the directory complete.
 *
 * @example
 * writeMarker(dir, { id: 'org/tiny', revision: 'main', present: ['config.json'], absent: ['tokenizer.json'] });
 */
export function writeMarker(dir: string, marker: CacheMarker): void {
  writeFileAtomic(join(dir, COMPLETE_MARKER), [new TextEncoder().encode(`${JSON.stringify(marker, null, 2)}\n`)]);
}
