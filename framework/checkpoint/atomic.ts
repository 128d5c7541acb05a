/**
 * Atomic file writes: data goes to a temporary sibling, is flushed, then renamed over the target, so
 * a reader (or a crash) never sees a half-written checkpoint.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A unique temporary path beside `target` (same directory, so the final rename never crosses filesystems).
 *
 * @example
 * tempPathFor('/m/model.safetensors'); // → '/m/.model.safetensors.4242-k3j2.tmp'
 */
export function tempPathFor(target: string): string {
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  return join(dirname(target), `.${basename(target)}.${tag}.tmp`);
}

/**
 * Writes `chunks` to `target` atomically (temp file, fsync, rename); the temp file is removed on failure.
 *
 * @example
 * writeFileAtomic('/tmp/x.bin', [new Uint8Array([1, 2])]); // /tmp/x.bin now holds 2 bytes
 */
export function writeFileAtomic(target: string, chunks: readonly Uint8Array[]): void {
  const temp = tempPathFor(target);
  try {
    const fd = openSync(temp, 'w');
    try {
      for (const chunk of chunks) {
        let written = 0;
        while (written < chunk.length) written += writeSync(fd, chunk, written, chunk.length - written);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw withPath(error, temp, target);
  }
}

/**
 * The error naming the file being written: `writeSync` on a full disk throws ENOSPC with no path, `openSync` names
 * the hidden temporary file; the CLI's one-line message names the file from `path`.
 */
function withPath(error: unknown, temp: string, target: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof e.code === 'string' && (e.path === undefined || e.path === temp))
    e.path = target;
  return error;
}

/**
 * Builds a directory atomically: `fill` writes into a temporary sibling, which then replaces `target` (the old
 * directory is moved aside and removed only after the new one is in place). If `fill` throws — a full disk, a bad
 * input — the temporary directory is removed and `target` is left as it was.
 *
 * @example
 * await writeDirAtomic('bundles/x', async (dir) => writeFileSync(join(dir, 'bundle.json'), '{}'));
 */
export async function writeDirAtomic<T>(target: string, fill: (dir: string) => Promise<T> | T): Promise<T> {
  const temp = tempPathFor(target);
  mkdirSync(dirname(target), { recursive: true });
  mkdirSync(temp);
  let result: T;
  try {
    result = await fill(temp);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  const old = existsSync(target) ? `${temp}.old` : undefined;
  if (old) renameSync(target, old);
  try {
    renameSync(temp, target);
  } catch (error) {
    if (old) renameSync(old, target);
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  if (old) rmSync(old, { recursive: true, force: true });
  return result;
}
