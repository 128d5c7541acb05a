import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { downloadFile, type DownloadProgress } from './download.js';

const dir = mkdtempSync(join(tmpdir(), 'fewprompt-dl-'));
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('the token goes to the Hub host but not to a CDN on another host; progress reports bytes', async () => {
  const payload = Buffer.alloc(300_000, 7);
  const cdnAuth: (string | undefined)[] = [];
  const cdn = await serve((req, res) => {
    cdnAuth.push(req.headers.authorization);
    res.writeHead(200, { 'content-length': String(payload.length) });
    res.end(payload);
  });
  const hubAuth: (string | undefined)[] = [];
  const hub = await serve((req, res) => {
    hubAuth.push(req.headers.authorization);
    res.writeHead(307, { location: `${cdn}/blob?sig=1` }).end();
  });
  const progress: DownloadProgress[] = [];
  const dest = join(dir, 'w.bin');
  assert.equal(
    await downloadFile(`${hub}/org/m/resolve/main/w.bin`, dest, { token: 't0k', onProgress: (p) => progress.push(p) }),
    true,
  );
  assert.deepEqual(readFileSync(dest), payload);
  assert.deepEqual(hubAuth, ['Bearer t0k']);
  assert.deepEqual(cdnAuth, [undefined]);
  assert.equal(progress.at(-1)?.received, payload.length);
  assert.ok(progress.every((p) => p.total === payload.length));
});

test('redirect loops stop with a DownloadError', async () => {
  const loop = await serve((req, res) => res.writeHead(302, { location: req.url ?? '/' }).end());
  await assert.rejects(downloadFile(`${loop}/x`, join(dir, 'x')), /GET .*\/x: more than 10 redirects/);
});
