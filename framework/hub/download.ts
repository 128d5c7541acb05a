/**
 * One HTTP(S) file download: follows redirects (dropping the token when the host changes, as the Hub's
 * CDN redirects need), streams to a temporary sibling and renames it into place, so a file in the cache
 * is always complete. Uses `node:http`/`node:https` directly (no `fetch`), so redirects and headers stay
 * under our control; HTTP(S)_PROXY variables are not honoured.
 */
import { createWriteStream, rmSync, renameSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tempPathFor } from '../checkpoint/atomic.js';
import { DownloadError } from '../errors.js';
import { log } from '../log.js';

/** Progress of one download; `total` is undefined when the server sent no Content-Length. */
export interface DownloadProgress {
  url: string;
  received: number;
  total: number | undefined;
}

/** Options of `downloadFile`. */
export interface DownloadOptions {
  /** Sent as `Authorization: Bearer <token>` to the original host only. */
  token?: string;
  /** A 404 resolves to `false` instead of throwing (for optional files). */
  optional?: boolean;
  /** Called as bytes arrive. Default: a line on stderr every 10% for files over 10 MB. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Socket inactivity limit in ms. Default 60 s. */
  timeoutMs?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
/** Hub error codes that mean the whole repo or revision is wrong, not just this file. */
const REPO_LEVEL_ERRORS = new Set(['RepoNotFound', 'RevisionNotFound', 'GatedRepo']);

/**
 * Downloads `url` to `dest` atomically. Resolves `true` when written, `false` for a 404 on an
 * `optional` file; anything else that fails is a `DownloadError` naming the URL and the status.
 *
 * @example
 * await downloadFile('https://huggingface.co/bert-base-chinese/resolve/main/config.json', '/tmp/config.json');
 * // → true
 * const url = 'https://huggingface.co/bert-base-chinese/resolve/main/tokenizer.json';
 * await downloadFile(url, '/tmp/t.json', { optional: true });
 * // → false if absent
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<boolean> {
  const origin = new URL(url);
  let current = origin;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'fewprompt/0.1', 'accept-encoding': 'identity' };
    if (options.token && current.host === origin.host) headers['authorization'] = `Bearer ${options.token}`;
    const response = await get(current, headers, options.timeoutMs ?? 60_000, url);
    const status = response.statusCode ?? 0;
    if (REDIRECTS.has(status)) {
      response.resume();
      const location = response.headers.location;
      if (!location) throw new DownloadError(`GET ${url}: ${status} redirect without a Location header`);
      if (hop >= MAX_REDIRECTS) throw new DownloadError(`GET ${url}: more than ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current);
      continue;
    }
    if (status === 200) {
      await save(response, dest, url, options);
      return true;
    }
    const code = header(response, 'x-error-code');
    const body = await readSnippet(response);
    if (status === 404 && options.optional && !REPO_LEVEL_ERRORS.has(code)) return false;
    const hint =
      status === 401 || status === 403 || code === 'RepoNotFound'
        ? ' (wrong id, or a private/gated repo: set HF_TOKEN)'
        : '';
    const where = current.href === url ? '' : ` (redirected to ${current.href})`;
    throw new DownloadError(
      `GET ${url}${where}: HTTP ${status} ${response.statusMessage ?? ''}${code ? ` [${code}]` : ''}` +
        `${hint}${body ? `: ${body}` : ''}`,
    );
  }
}

function get(url: URL, headers: Record<string, string>, timeoutMs: number, original: string): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!client) return Promise.reject(new DownloadError(`GET ${original}: unsupported protocol ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers, timeout: timeoutMs }, resolve);
    request.on('timeout', () => request.destroy(new Error(`no data for ${timeoutMs} ms`)));
    request.on('error', (error) => reject(new DownloadError(`GET ${original} failed: ${error.message}`)));
  });
}

async function save(response: IncomingMessage, dest: string, url: string, options: DownloadOptions): Promise<void> {
  const lengthHeader = header(response, 'content-length');
  const total = lengthHeader ? Number(lengthHeader) : undefined;
  const report = options.onProgress ?? stderrProgress(dest);
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      report({ url, received, total });
      callback(null, chunk);
    },
  });
  const temp = tempPathFor(dest);
  try {
    await pipeline(response, counter, createWriteStream(temp));
    if (total !== undefined && received !== total) {
      throw new DownloadError(`GET ${url}: connection closed after ${received} of ${total} bytes`);
    }
    renameSync(temp, dest);
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof DownloadError) throw error;
    throw new DownloadError(
      `GET ${url}: download interrupted: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

const BIG_FILE = 10 * 1024 * 1024;

/** Default progress: for files over 10 MB, one stderr line per 10% (via the levelled logger). */
function stderrProgress(dest: string): (p: DownloadProgress) => void {
  let lastDecile = -1;
  return ({ received, total }) => {
    if (total === undefined || total < BIG_FILE) return;
    const decile = Math.floor((received / total) * 10);
    if (decile === lastDecile) return;
    lastDecile = decile;
    log.info(`downloading ${dest}: ${decile * 10}% of ${(total / 1e6).toFixed(1)} MB`);
  };
}

function header(response: IncomingMessage, name: string): string {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/** The first 200 characters of an error body (Hub errors are short JSON), for the message. */
async function readSnippet(response: IncomingMessage): Promise<string> {
  let text = '';
  try {
    for await (const chunk of response) {
      if (text.length < 200) text += String(chunk);
    }
  } catch {
    return text.slice(0, 200).trim();
  }
  return text.slice(0, 200).trim();
}
