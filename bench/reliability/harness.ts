/**
 * The reliability bench's plumbing: running the CLI as a user does (`node bin/fewprompt.mjs …`), recording cases,
 * loopback HTTP, a served bundle, private redis-servers, and the results files.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/fewprompt.mjs', import.meta.url));

/** One row of the table. */
export interface Case {
  group: string;
  name: string;
  expected: string;
  got: string;
  pass: boolean;
  seconds: number;
}

/** What every group of cases shares: the work folder, the 4-step run of the default model and its INT8 bundle. */
export interface Bench {
  work: string;
  run: string;
  bundle: string;
}

export const cases: Case[] = [];
let group = '';

/** Rows recorded from now on belong to `name` (the table's first column). */
export function startGroup(name: string): void {
  group = name;
  process.stderr.write(`— ${name}\n`);
}

export function record(name: string, expected: string, got: string, pass: boolean, seconds = 0): void {
  cases.push({ group, name, expected, got, pass, seconds });
  process.stderr.write(`${pass ? 'PASS' : 'FAIL'}  ${name}: ${got}\n`);
}

/** Records the outcome of `check`; an exception is the case's failure, not the bench's. */
export async function attempt(name: string, expected: string, check: () => Promise<void> | void): Promise<void> {
  const t0 = Date.now();
  try {
    await check();
  } catch (error) {
    record(name, expected, `threw: ${(error as Error).message.split('\n')[0]!.slice(0, 200)}`, false, seconds(t0));
  }
}

export const seconds = (t0: number): number => (Date.now() - t0) / 1000;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Environment of the CLI: quiet unless a case reads its logs. */
export function cliEnv(log = 'error', extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, FEWPROMPT_LOG: log, ...extra };
}

/** Runs the CLI to the end; stderr, stdout, status and time. */
export function fp(
  args: string[],
  timeoutMs = 120_000,
  env: NodeJS.ProcessEnv = cliEnv(),
): SpawnSyncReturns<string> & { seconds: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env });
  return Object.assign(r, { seconds: seconds(t0) });
}

/** Non-empty lines of a stream's text. */
export const linesOf = (text: string): string[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');

/** A CLI failure as a user should see it: exit 2, one line on stderr matching `message`. */
export function expectOneLine(name: string, args: string[], message: RegExp, timeoutMs?: number): void {
  const r = fp(args, timeoutMs);
  const lines = linesOf(r.stderr);
  const pass = r.status === 2 && lines.length === 1 && message.test(lines[0] ?? '');
  record(
    name,
    `exit 2, one line ${message.source.slice(0, 50)}`,
    `exit ${r.status ?? r.signal}, ${lines.length} line(s): ${(lines[0] ?? '').slice(0, 90)}`,
    pass,
    r.seconds,
  );
}

/** A process of the CLI started in its own process group (so a kill reaches the respawned training process too). */
export interface Started {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the first line (stdout or stderr, seen or to come) matching `re`; rejects after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once it has exited. */
  exited: Promise<number | string>;
  /** Signals the whole process group. */
  kill(signal: NodeJS.Signals): void;
}

export function start(args: string[], env: NodeJS.ProcessEnv = cliEnv()): Started {
  const proc = spawn(process.execPath, [BIN, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const collect = (into: string[], stream: NodeJS.ReadableStream | null) => {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        into.push(line);
        for (const w of waiters.filter((x) => x.re.test(line))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  };
  collect(stdout, proc.stdout);
  collect(stderr, proc.stderr);
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    proc,
    stdout,
    stderr,
    exited,
    waitFor: (re, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const seen = [...stdout, ...stderr].find((l) => re.test(l));
        if (seen !== undefined) return resolve(seen);
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          re,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() => setTimeout(() => reject(new Error(`exited before a line matching ${re}`)), 50));
      }),
    kill: (signal) => {
      try {
        if (proc.pid !== undefined) process.kill(-proc.pid, signal);
      } catch {
        // already gone
      }
    },
  };
}

/** Waits until `exited` settles or `timeoutMs` passes; then the result, or 'timeout' (the group is killed). */
export async function within(p: Started, timeoutMs: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([p.exited, timeout]);
  clearTimeout(timer); // a pending timer would keep the bench alive after its last case
  if (outcome === 'timeout') {
    p.kill('SIGKILL');
    await p.exited;
  }
  return outcome;
}

/** Polls `condition` every `everyMs` until it holds (true) or `timeoutMs` passes (false). */
export async function until(condition: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) return false;
    await sleep(everyMs);
  }
  return true;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export function http(
  port: number,
  method: string,
  path: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
  agent?: Agent,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ...(agent ? { agent } : {}),
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

/** A running `serve` of the bench's bundle as model `m`. */
export interface Served {
  port: number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `serve --bundle m=<bundle>` on a free loopback port and waits until /healthz answers (2 minutes at most). */
export async function serve(bench: Bench, extra: string[]): Promise<Served> {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [BIN, 'serve', '--bundle', `m=${bench.bundle}`, '--port', String(port), ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'], env: cliEnv() },
  );
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  let gone = false;
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      gone = true;
      resolve(code);
    }),
  );
  const healthy = async () => (await http(port, 'GET', '/healthz').catch(() => ({ status: 0 }))).status === 200;
  const t0 = Date.now();
  while (!(await healthy())) {
    if (gone || Date.now() - t0 > 120_000) {
      proc.kill('SIGKILL');
      throw new Error(`serve on port ${port} did not start (${gone ? 'exited' : 'no answer'}): ${stderr.trim()}`);
    }
    await sleep(100);
  }
  return {
    port,
    exited,
    stop: async (signal = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
  };
}

/** A private redis-server on `port` with no persistence: a restart comes back empty. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const up = await until(
    () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.includes('PONG') ?? false,
    10_000,
    100,
  );
  if (!up) throw new Error(`redis-server on port ${port} did not answer`);
  return server;
}

export const hasRedis = (): boolean => existsSync('/usr/bin/redis-server');

/** The machine's one-minute load average, for rows whose numbers depend on it. */
export const load = (): string => `load ${loadavg()[0]!.toFixed(1)}`;

/** Prints the table and writes bench/results/reliability.{json,md}; returns the number of failures. */
export function writeResults(notes: string[]): number {
  const width = Math.max(...cases.map((c) => c.name.length));
  console.log(
    cases
      .map((c) => `${c.pass ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  expected: ${c.expected}  got: ${c.got}`)
      .join('\n'),
  );
  const passed = cases.filter((c) => c.pass).length;
  console.log(`${passed} passed, ${cases.length - passed} failed`);
  const results = new URL('../results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  writeFileSync(
    new URL('reliability.json', results),
    `${JSON.stringify({ date: new Date().toISOString(), passed, total: cases.length, notes, cases }, null, 2)}\n`,
  );
  const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows: string[] = [];
  for (const c of cases) {
    if (rows.length === 0 || c.group !== cases[cases.indexOf(c) - 1]?.group) rows.push(`| **${c.group}** | | | | |`);
    rows.push(
      `| ${cell(c.name)} | ${cell(c.expected)} | ${cell(c.got)} | ${c.seconds.toFixed(1)} ` +
        `| ${c.pass ? 'pass' : '**FAIL**'} |`,
    );
  }
  writeFileSync(
    new URL('reliability.md', results),
    [
      '# bench/reliability',
      '',
      `The hostile-user audit's catalogue replayed against the CLI (loopback only): ${passed} of ${cases.length} pass.`,
      '',
      ...notes.map((n) => `- ${n}`),
      '',
      '| case | expected | got | s | |',
      '|---|---|---|---:|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  return cases.length - passed;
}
