import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import { log } from '../../framework/log.js';
import type { ServedModel } from '../../inference/serve/server.js';
import type { TaskInput, TaskName } from '../../inference/taskflow/index.js';
import { findTaskflowTask, taskNames } from '../../inference/taskflow/catalog.js';
import type { Command } from './command.js';

const usage = `usage: fewprompt serve --bundle NAME=DIR … [--taskflow NAME=TASK[:MODE] …] [--port P]

Serves exported bundles (and Taskflow tasks) over HTTP:
  POST /v1/models/NAME:predict  {"texts": [...]}
                                → {"model", "predictions": [{"text","label","score","probabilities"}, …]}
  GET  /v1/models, GET /healthz, GET /metrics (Prometheus)
Concurrent requests are micro-batched. SIGINT/SIGTERM drain in-flight requests, then exit.
  --bundle NAME=DIR     mount a bundle from 'fewprompt export' (repeatable)
  --taskflow NAME=TASK[:MODE]  mount a Taskflow task (${taskNames().join(', ')}; repeatable),
                        in its default mode or MODE (e.g. ner:accurate); question_answering takes
                        {"inputs": [{"question": …, "context": …}, …]} → answers {"answer","start","end","score"}
  --port P              0–65535, default 8080 (0: any free port);  --host H  default 127.0.0.1
  --max-batch N         texts per model call, 1–4096 (default 32);  --max-wait-ms N  0–60000, default 5
  --max-texts N         texts per request, 1–100000 (default 256);  --max-body-bytes N  default 1048576
  --max-request-chars N a request's compute budget: characters over all its texts (default 100000)
  --max-batch-chars N   characters per model call (default 8192); texts are taken round-robin across requests,
                        so a small request waits for at most one call behind a large one
  --threads N           ONNX Runtime intra-op threads per bundle, 0–1024 (default 0: all cores)
  --api-key KEY | --api-key-file FILE  require 'Authorization: Bearer KEY' (or X-API-Key) on every route but /healthz
  --drain-seconds N     on SIGINT/SIGTERM, in-flight requests get N seconds (0–3600, default 10); new ones get 503
A --host other than loopback is reachable from other machines: fewprompt warns unless an API key is set.`;

function pairs(values: string[] | undefined, flag: string): [string, string][] {
  return (values ?? []).map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new ConfigError(`${flag} expects NAME=VALUE, got '${v}'`);
    return [v.slice(0, at), v.slice(at + 1)];
  });
}

/** An integer flag within [min, max] (a batch of 0 texts would never be answered: --max-batch starts at 1). */
function intInRange(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${flag} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

/** The API key of --api-key or --api-key-file (its first line); none when neither is given. */
function apiKeyFrom(key: string | undefined, file: string | undefined): { apiKey?: string } {
  if (key !== undefined && file !== undefined) throw new ConfigError('give --api-key or --api-key-file, not both');
  let value = key;
  if (file !== undefined) {
    try {
      value = readFileSync(file, 'utf8').split(/\r?\n/)[0];
    } catch (error) {
      throw new ConfigError(`--api-key-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  if (value === undefined) return {};
  if (value.trim().length < 8)
    throw new ConfigError(`the API key must have at least 8 characters (got ${value.trim().length})`);
  return { apiKey: value.trim() };
}

/** Loopback addresses: what only this machine can reach. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

const FLAGS = {
  bundle: { type: 'string', multiple: true },
  taskflow: { type: 'string', multiple: true },
  port: { type: 'string' },
  host: { type: 'string' },
  'max-batch': { type: 'string' },
  'max-wait-ms': { type: 'string' },
  'max-texts': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  threads: { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  'drain-seconds': { type: 'string' },
  'max-request-chars': { type: 'string' },
  'max-batch-chars': { type: 'string' },
} as const;

/** `fewprompt serve`. */
export const serveCommand: Command = {
  name: 'serve',
  usage,
  options: FLAGS,
  async run(args) {
    const { values } = parseArgs({ args, options: FLAGS });
    // Every number is checked before any model loads: a bad flag fails in milliseconds, not after the loads.
    const threads = intInRange(values.threads, '--threads', 0, 0, 1024);
    const options = {
      port: intInRange(values.port, '--port', 8080, 0, 65535),
      host: values.host ?? '127.0.0.1',
      maxBatch: intInRange(values['max-batch'], '--max-batch', 32, 1, 4096),
      maxWaitMs: intInRange(values['max-wait-ms'], '--max-wait-ms', 5, 0, 60_000),
      maxTexts: intInRange(values['max-texts'], '--max-texts', 256, 1, 100_000),
      maxBodyBytes: intInRange(values['max-body-bytes'], '--max-body-bytes', 1 << 20, 1, 1 << 30),
      drainSeconds: intInRange(values['drain-seconds'], '--drain-seconds', 10, 0, 3600),
      maxRequestChars: intInRange(values['max-request-chars'], '--max-request-chars', 100_000, 1, 100_000_000),
      maxBatchChars: intInRange(values['max-batch-chars'], '--max-batch-chars', 8192, 1, 10_000_000),
      ...apiKeyFrom(values['api-key'], values['api-key-file']),
    };
    if (!isLoopback(options.host) && options.apiKey === undefined) {
      log.warn(
        `--host ${options.host} is reachable from other machines and no --api-key is set: ` +
          'anyone who can reach it can use the models',
      );
    }
    const bundles = pairs(values.bundle, '--bundle');
    const tasks = pairs(values.taskflow, '--taskflow').map(([name, spec]) => {
      const [task, mode] = spec.split(':') as [string, string | undefined];
      return { name, info: findTaskflowTask(task), mode };
    });
    // Loaded here: `serve --help` and a bad flag must not wait for ONNX Runtime and the Taskflow tasks.
    const { loadClassifier } = await import('../../inference/runtime/index.js');
    const { classifierModel, PredictionServer, recordTaskflowModel, taskflowModel } = await import(
      '../../inference/serve/server.js'
    );
    const { Taskflow } = await import('../../inference/taskflow/index.js');
    const models: Record<string, ServedModel> = {};
    for (const [name, dir] of bundles) {
      if (models[name]) throw new ConfigError(`model name '${name}' is mounted twice`);
      models[name] = classifierModel(await loadClassifier(dir, threads > 0 ? { threads } : {}));
    }
    for (const { name, info, mode } of tasks) {
      if (models[name]) throw new ConfigError(`model name '${name}' is mounted twice`);
      const flow = Taskflow(info.kind as TaskName, mode === undefined ? {} : { mode });
      const taskClass = await info.load();
      // A task that takes records (question_answering) is served on {"inputs": [...]}, each checked before queueing.
      models[name] = taskClass.checkInput
        ? recordTaskflowModel(flow, info.kind, (item, path) => taskClass.checkInput!(item, path) as TaskInput<TaskName>)
        : taskflowModel(flow, info.kind);
    }
    if (Object.keys(models).length === 0)
      throw new ConfigError(`serve needs at least one --bundle NAME=DIR or --taskflow NAME=TASK\n${usage}`);
    const server = new PredictionServer(models, options);
    const port = await server.listen();
    log.info(
      `serving ${Object.keys(models).join(', ')} on http://${values.host ?? '127.0.0.1'}:${port} ` +
        '(POST /v1/models/NAME:predict, GET /healthz, GET /metrics)',
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info(`${signal}: draining in-flight requests`);
        void server.close().then(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
};
