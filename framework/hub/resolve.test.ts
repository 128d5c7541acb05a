import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { loadStateDict } from '../checkpoint/state-dict.js';
import { ConfigError, DownloadError } from '../errors.js';
import { COMPLETE_MARKER, readMarker } from './cache.js';
import { downloadFile } from './download.js';
import { resolveModel } from './resolve.js';

const TINY = new URL('../checkpoint/fixtures/tiny-bert', import.meta.url).pathname;
const file = (name: string) => readFileSync(join(TINY, name));
const LFS = new Set(['model.safetensors', 'pytorch_model.bin']);

/** Repos the stub Hub serves: id → (file → bytes). */
const repos = new Map<string, Map<string, Buffer>>([
  [
    'org/tiny',
    new Map([
      ['config.json', file('config.json')],
      ['vocab.txt', file('vocab.txt')],
      ['model.safetensors', file('model.safetensors')],
      ['special_tokens_map.json', Buffer.from('{}')],
    ]),
  ],
  [
    'org/tiny-bin',
    new Map([
      ['config.json', file('config.json')],
      ['pytorch_model.bin', file('pytorch_model.bin')],
    ]),
  ],
  ['org/no-weights', new Map([['config.json', file('config.json')]])],
]);

interface Seen {
  path: string;
  status: number;
  auth: string | undefined;
}
const seen: Seen[] = [];
let server: Server;
let endpoint = '';
let closedEndpoint = '';
const home = mkdtempSync(join(tmpdir(), 'fewprompt-hub-'));

/** Answers like huggingface.co: LFS files 302 to a CDN path, absent files 404 EntryNotFound, unknown repos 401. */
function startStub(): Promise<void> {
  server = createServer((req, res) => {
    const path = decodeURI(req.url ?? '');
    const reply = (status: number, body: Buffer | string, headers: Record<string, string> = {}) => {
      seen.push({ path, status, auth: req.headers.authorization });
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
    if (cdn) return reply(200, repos.get(cdn[1] ?? '')?.get(cdn[2] ?? '') ?? '');
    if (path === '/org/broken/resolve/main/config.json') return reply(500, '{"error":"boom"}');
    if (path === '/org/cut/resolve/main/config.json') {
      seen.push({ path, status: 200, auth: undefined });
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"partial": ');
      setTimeout(() => res.destroy(), 20);
      return undefined;
    }
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const repo = repos.get(m?.[1] ?? '');
    if (!m || !repo) return reply(401, '{"error":"Repository Not Found"}', { 'x-error-code': 'RepoNotFound' });
    const body = repo.get(m[3] ?? '');
    if (body === undefined) return reply(404, '{"error":"Entry not found"}', { 'x-error-code': 'EntryNotFound' });
    if (LFS.has(m[3] ?? '')) return reply(302, '', { location: `/cdn/${m[1]}/${m[3]}` });
    return reply(200, body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  // A port that was just free: nothing listens there, so any request to it fails.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedEndpoint = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  await startStub();
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(home, { recursive: true, force: true });
});

test('first resolve downloads like the Hub client; the second makes zero requests', async () => {
  const dir = await resolveModel('org/tiny', { home, endpoint, token: 'hf_secret' });
  assert.equal(dir, join(home, 'models', 'org--tiny', 'main'));
  assert.deepEqual(
    seen.map((s) => `${s.status} ${s.path}`),
    [
      '200 /org/tiny/resolve/main/config.json',
      '200 /org/tiny/resolve/main/vocab.txt',
      '404 /org/tiny/resolve/main/tokenizer.json',
      '404 /org/tiny/resolve/main/tokenizer_config.json',
      '302 /org/tiny/resolve/main/model.safetensors',
      '200 /cdn/org/tiny/model.safetensors',
    ],
  );
  assert.ok(
    seen.every((s) => s.auth === 'Bearer hf_secret'),
    'same-host requests carry the token',
  );
  assert.deepEqual(readdirSync(dir).sort(), [COMPLETE_MARKER, 'config.json', 'model.safetensors', 'vocab.txt']);
  assert.deepEqual(readMarker(dir)?.absent, ['tokenizer.json', 'tokenizer_config.json']);
  assert.deepEqual(loadStateDict(dir), loadStateDict(TINY));

  seen.length = 0;
  assert.equal(await resolveModel('org/tiny', { home, endpoint }), dir);
  assert.equal(seen.length, 0);
  assert.equal(
    await resolveModel('org/tiny', { home, endpoint: closedEndpoint }),
    dir,
    'a complete cache never touches the network',
  );
});

test('extra files fetch only what is new', async () => {
  seen.length = 0;
  const dir = await resolveModel('org/tiny', { home, endpoint, files: ['special_tokens_map.json'] });
  assert.deepEqual(
    seen.map((s) => s.path),
    ['/org/tiny/resolve/main/special_tokens_map.json'],
  );
  assert.ok(existsSync(join(dir, 'special_tokens_map.json')));
});

test('a local directory is returned as-is without any network', async () => {
  assert.equal(await resolveModel(TINY, { home, endpoint: closedEndpoint }), TINY);
  await assert.rejects(resolveModel(join(TINY, 'config.json'), { endpoint: closedEndpoint }), ConfigError);
  await assert.rejects(
    resolveModel('./no/such/dir', { endpoint: closedEndpoint }),
    /neither an existing directory nor a Hub id/,
  );
});

test('falls back to pytorch_model.bin when model.safetensors is absent', async () => {
  seen.length = 0;
  const dir = await resolveModel('org/tiny-bin', { home, endpoint, revision: 'v1.0' });
  assert.equal(dir, join(home, 'models', 'org--tiny-bin', 'v1.0'));
  assert.deepEqual(
    seen.map((s) => `${s.status} ${s.path}`),
    [
      '200 /org/tiny-bin/resolve/v1.0/config.json',
      '404 /org/tiny-bin/resolve/v1.0/vocab.txt',
      '404 /org/tiny-bin/resolve/v1.0/tokenizer.json',
      '404 /org/tiny-bin/resolve/v1.0/tokenizer_config.json',
      '404 /org/tiny-bin/resolve/v1.0/model.safetensors',
      '404 /org/tiny-bin/resolve/v1.0/model.safetensors.index.json',
      '302 /org/tiny-bin/resolve/v1.0/pytorch_model.bin',
      '200 /cdn/org/tiny-bin/pytorch_model.bin',
    ],
  );
  assert.deepEqual(loadStateDict(dir), loadStateDict(TINY));
});

test('failures are DownloadErrors naming the URL and the status, and leave no partial files', async () => {
  await assert.rejects(
    resolveModel('org/missing', { home, endpoint }),
    (e: unknown) =>
      e instanceof DownloadError &&
      e.message.includes(`GET ${endpoint}/org/missing/resolve/main/config.json: HTTP 401`) &&
      /\[RepoNotFound\].*HF_TOKEN/.test(e.message),
  );
  await assert.rejects(
    resolveModel('org/broken', { home, endpoint }),
    /\/org\/broken\/resolve\/main\/config\.json: HTTP 500 .*boom/,
  );
  await assert.rejects(
    resolveModel('org/no-weights', { home, endpoint }),
    /no weights at .*tried model\.safetensors, .*pytorch_model\.bin\.index\.json/,
  );
  await assert.rejects(
    resolveModel('org/tiny', { home, endpoint: closedEndpoint, revision: 'other' }),
    (e: unknown) =>
      e instanceof DownloadError &&
      e.message.startsWith(`GET ${closedEndpoint}/org/tiny/resolve/other/config.json failed: `),
  );
  await assert.rejects(
    resolveModel('org/tiny', { home, offline: true, revision: 'other' }),
    /not in the cache .*downloads are off \(offline\)/,
  );
  const cutDir = join(home, 'cut');
  await assert.rejects(resolveModel('org/cut', { home: cutDir, endpoint }), DownloadError);
  assert.deepEqual(readdirSync(join(cutDir, 'models', 'org--cut', 'main')), [], 'no temp or truncated file left');
  await assert.rejects(
    downloadFile(`${endpoint}/org/tiny/resolve/main/nope.json`, join(home, 'nope.json')),
    /HTTP 404 .*\[EntryNotFound\]/,
  );
});
