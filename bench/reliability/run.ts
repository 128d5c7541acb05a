/**
 * bench/reliability: the hostile-user audit's failures, replayed against the CLI as a user runs it (`node
 * bin/fewprompt.mjs …`), loopback only, each case bounded in time. Prints a table — case, expected, got, pass — and
 * writes bench/results/reliability.json and .md. Exit status 1 when a case fails.
 *
 *   npx tsx bench/reliability/run.ts [--work DIR]
 *
 * Setup (≈ 1 minute): trains the default model 4 steps (`train --max-steps 4 --out W/run`) and exports an INT8
 * bundle (`export --run W/run --out W/bundle`), then breaks copies of them.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/fewprompt.mjs', import.meta.url));
const { values } = parseArgs({ options: { work: { type: 'string' } } });
const work = values.work ?? mkdtempSync(join(tmpdir(), 'fewprompt-reliability-'));
mkdirSync(work, { recursive: true });

interface Case {
  name: string;
  expected: string;
  got: string;
  pass: boolean;
  seconds: number;
}
const cases: Case[] = [];

/** Runs the CLI; stderr, stdout, status and time. */
function fp(args: string[], timeoutMs = 120_000): SpawnSyncReturns<string> & { seconds: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, FEWPROMPT_LOG: 'error' },
  });
  return Object.assign(r, { seconds: (Date.now() - t0) / 1000 });
}

/** A CLI failure as a user should see it: exit 2, one line on stderr matching `message`. */
function expectOneLine(name: string, args: string[], message: RegExp, timeoutMs?: number): void {
  const r = fp(args, timeoutMs);
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  const pass = r.status === 2 && lines.length === 1 && message.test(lines[0] ?? '');
  cases.push({
    name,
    expected: `exit 2, one line ${message.source.slice(0, 50)}`,
    got: `exit ${r.status ?? r.signal}, ${lines.length} line(s): ${(lines[0] ?? '').slice(0, 90)}`,
    pass,
    seconds: r.seconds,
  });
}

function record(name: string, expected: string, got: string, pass: boolean, seconds = 0): void {
  cases.push({ name, expected, got, pass, seconds });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function http(
  port: number,
  method: string,
  path: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: body === undefined ? headers : { 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts `serve` and waits for its port; returns the process and the port. */
async function serve(
  extra: string[],
): Promise<{ port: number; stop: (signal?: NodeJS.Signals) => Promise<number | null> }> {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [BIN, 'serve', '--bundle', `m=${join(work, 'bundle')}`, '--port', String(port), ...extra],
    { stdio: 'ignore', env: { ...process.env, FEWPROMPT_LOG: 'error' } },
  );
  for (let i = 0; i < 200; i++) {
    if (
      await http(port, 'GET', '/healthz').then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    port,
    stop: async (signal = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
  };
}

// Setup: a 4-step run of the default model and its INT8 bundle.
process.stderr.write(`setup in ${work}\n`);
const run = join(work, 'run');
const setup = fp(['train', '--max-steps', '4', '--out', run, '--no-track'], 600_000);
if (setup.status !== 0) throw new Error(`setup: train failed: ${setup.stderr.slice(-500)}`);
const exported = fp(['export', '--run', run, '--out', join(work, 'bundle'), '--precision', 'int8']);
if (exported.status !== 0) throw new Error(`setup: export failed: ${exported.stderr.slice(-500)}`);
const bundle = join(work, 'bundle');
const variant = (name: string, edit: (dir: string) => void): string => {
  const dir = join(work, name);
  cpSync(bundle, dir, { recursive: true });
  edit(dir);
  return dir;
};
const editManifest = (dir: string, change: (m: Record<string, unknown>) => void) => {
  const m = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as Record<string, unknown>;
  change(m);
  writeFileSync(join(dir, 'bundle.json'), JSON.stringify(m));
};

// 1. serve --max-batch 0 used to hang the server.
expectOneLine(
  'serve --max-batch 0',
  ['serve', '--bundle', `m=${bundle}`, '--max-batch', '0'],
  /--max-batch must be an integer from 1 to 4096/,
);
// 4. bad ports.
expectOneLine(
  'serve --port 70000',
  ['serve', '--bundle', `m=${bundle}`, '--port', '70000'],
  /--port must be an integer from 0 to 65535/,
);
// 5. broken model.onnx files.
for (const [name, bytes] of [
  ['empty', Buffer.alloc(0)],
  ['truncated', readFileSync(join(bundle, 'model.onnx')).subarray(0, 5000)],
  ['random', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24))],
] as const) {
  const dir = variant(`onnx-${name}`, (d) => writeFileSync(join(d, 'model.onnx'), bytes));
  expectOneLine(
    `predict with a ${name} model.onnx`,
    ['predict', '--bundle', dir, '很好'],
    /ONNX Runtime cannot load it/,
  );
}
// 6. labels and paths in bundle.json.
expectOneLine(
  'bundle.json with 3 labels for 2 scores',
  [
    'predict',
    '--bundle',
    variant('labels3', (d) =>
      editManifest(d, (m) => {
        m['labels'] = ['a', 'b', 'c'];
      }),
    ),
    '很好',
  ],
  /the graph scores 2 labels, bundle\.json lists 3/,
);
expectOneLine(
  'bundle.json with labels []',
  [
    'predict',
    '--bundle',
    variant('labels0', (d) =>
      editManifest(d, (m) => {
        m['labels'] = [];
      }),
    ),
    '很好',
  ],
  /at least two distinct non-empty strings/,
);
expectOneLine(
  'model.file outside the bundle',
  [
    'predict',
    '--bundle',
    variant('escape', (d) =>
      editManifest(d, (m) => {
        (m['model'] as Record<string, unknown>)['file'] = '../../../../etc/passwd';
      }),
    ),
    '很好',
  ],
  /points outside the bundle/,
);
// 7. absurd config.json sizes.
for (const [field, value] of [
  ['num_hidden_layers', 1e9],
  ['vocab_size', 1e12],
  ['hidden_size', 1048576],
] as const) {
  const model = join(work, `model-${field}`);
  cpSync(join(run, 'model'), model, { recursive: true });
  const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as Record<string, unknown>;
  config[field] = value;
  writeFileSync(join(model, 'config.json'), JSON.stringify(config));
  expectOneLine(
    `config.json ${field}: ${value}`,
    ['train', '--model', model, '--max-steps', '1', '--no-track'],
    new RegExp(`${field} must be an integer`),
    60_000,
  );
}
// 8. --resume with another configuration.
const resumeRun = join(work, 'resume');
fp(['train', '--max-steps', '4', '--out', resumeRun, '--keep-checkpoint', '--no-track'], 600_000);
expectOneLine(
  '--resume with --split 1',
  ['train', '--max-steps', '4', '--out', resumeRun, '--resume', '--split', '1', '--no-track'],
  /another configuration \(.*split/,
  300_000,
);
// 9. a failed export leaves the old bundle.
const keep = variant('keep', () => {});
const before = readFileSync(join(keep, 'model.onnx'));
const failed = fp(['export', '--run', join(work, 'no-such-run'), '--out', keep]);
const intact = Buffer.compare(before, readFileSync(join(keep, 'model.onnx'))) === 0;
record(
  'a failed export over a bundle',
  'exit 2, old bundle intact',
  `exit ${failed.status}, intact ${intact}`,
  failed.status === 2 && intact,
  failed.seconds,
);
// 10. Redis unreachable.
expectOneLine(
  'fewclue --queue with nothing listening',
  ['fewclue', '--tasks', 'eprstmt', '--queue', `redis://127.0.0.1:${await freePort()}`, '--out', join(work, 'q')],
  /cannot reach Redis at .* within 10 s/,
  60_000,
);
// Zip bomb in pytorch_model.bin.
{
  const { zipSync } = await import('fflate');
  const model = join(work, 'model-bomb');
  cpSync(join(run, 'model'), model, { recursive: true });
  for (const f of ['model.safetensors']) spawnSync('rm', ['-f', join(model, f)]);
  writeFileSync(
    join(model, 'pytorch_model.bin'),
    zipSync({ 'archive/data.pkl': new Uint8Array(8), 'archive/data/0': new Uint8Array(256 << 20) }, { level: 9 }),
  );
  expectOneLine(
    'a 256 MB zip bomb as pytorch_model.bin',
    ['train', '--model', model, '--max-steps', '1', '--no-track'],
    /a zip bomb/,
    60_000,
  );
}

// The server, running.
{
  const s = await serve([]);
  const base = (await http(s.port, 'GET', '/metrics')).text.split('\n').length;
  for (let i = 0; i < 300; i++) await http(s.port, 'POST', `/v1/models/random-${i}:predict`, '{"texts":["a"]}');
  const after = (await http(s.port, 'GET', '/metrics')).text.split('\n').length;
  record(
    '300 POSTs to unknown model names',
    'metrics grow by < 40 lines',
    `${base} → ${after} lines`,
    after - base < 40,
  );
  const pct = await http(s.port, 'POST', '/v1/models/%E0%A4%A:predict', '{"texts":["a"]}');
  record('malformed percent-encoding in the model name', '400', String(pct.status), pct.status === 400);
  const bytes = await http(
    s.port,
    'POST',
    '/v1/models/m:predict',
    Buffer.from([0x7b, 0x22, 0x74, 0xff, 0xfe, 0x22, 0x7d]),
  );
  record('a body that is not UTF-8', '400', String(bytes.status), bytes.status === 400);
  const big = await http(
    s.port,
    'POST',
    '/v1/models/m:predict',
    JSON.stringify({ texts: Array.from({ length: 17 }, () => '长'.repeat(20_000)) }),
  );
  record(
    '17 × 20,000 characters in one request',
    '413 (over the request budget)',
    String(big.status),
    big.status === 413,
  );
  // A client trickling a body, then SIGTERM: the server exits within the drain deadline.
  const trickle = request({
    host: '127.0.0.1',
    port: s.port,
    path: '/v1/models/m:predict',
    method: 'POST',
    headers: { 'content-length': 1000 },
  });
  trickle.on('error', () => {});
  trickle.write('{"texts": [');
  const t0 = Date.now();
  const code = await s.stop('SIGTERM');
  const seconds = (Date.now() - t0) / 1000;
  record(
    'SIGTERM with a client trickling a body',
    'exit within the 10 s drain',
    `exit ${code} after ${seconds.toFixed(1)} s`,
    seconds < 13,
    seconds,
  );
}
{
  const s = await serve(['--api-key', 'correct-horse']);
  const without = await http(s.port, 'POST', '/v1/models/m:predict', '{"texts":["a"]}');
  const withKey = await http(s.port, 'POST', '/v1/models/m:predict', '{"texts":["a"]}', {
    authorization: 'Bearer correct-horse',
  });
  const health = await http(s.port, 'GET', '/healthz');
  record(
    '--api-key',
    '401 without, 200 with, /healthz open',
    `${without.status}, ${withKey.status}, ${health.status}`,
    without.status === 401 && withKey.status === 200 && health.status === 200,
  );
  await s.stop();
}
{
  const other = await serve([]);
  expectOneLine(
    'serve on a port in use',
    ['serve', '--bundle', `m=${bundle}`, '--port', String(other.port)],
    /already in use/,
  );
  await other.stop();
}

const width = Math.max(...cases.map((c) => c.name.length));
const lines = cases.map(
  (c) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  expected: ${c.expected}  got: ${c.got}`,
);
console.log(lines.join('\n'));
const passed = cases.filter((c) => c.pass).length;
console.log(`${passed} passed, ${cases.length - passed} failed`);
const results = new URL('../results/', import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(
  new URL('reliability.json', results),
  `${JSON.stringify({ date: new Date().toISOString(), cases }, null, 2)}\n`,
);
writeFileSync(
  new URL('reliability.md', results),
  [
    '# bench/reliability',
    '',
    `The hostile-user audit's failures replayed against the CLI (loopback only): ${passed} of ${cases.length} pass.`,
    '',
    '| case | expected | got | |',
    '|---|---|---|---|',
    ...cases.map(
      (c) =>
        `| ${c.name} | ${c.expected.replaceAll('|', '\\|')} | ${c.got.replaceAll('|', '\\|')} ` +
        `| ${c.pass ? 'pass' : '**FAIL**'} |`,
    ),
    '',
  ].join('\n'),
);
process.exitCode = passed === cases.length ? 0 : 1;
