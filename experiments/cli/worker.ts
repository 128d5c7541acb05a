import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { ConfigError } from '../../framework/errors.js';
import type { Command } from './command.js';

const usage = `usage: fewprompt worker --queue redis://HOST:PORT[/DB] [--queue-name NAME] [--out DIR] [--lock-ms N] \
[--setup MODULE]
       fewprompt worker --local [--setup MODULE]

Serves FewCLUE suite jobs ('fewprompt fewclue --queue …') from a BullMQ queue on Redis, one at a time,
each in a child process. Start one per machine (or per core budget); stop with Ctrl-C / SIGTERM, which
finishes the current job first. If a worker dies, its job goes back to the queue after --lock-ms and
another worker runs it. Model and --data-dir paths in the jobs must exist on this machine.
  --queue URL        Redis URL (same as the coordinator's)
  --queue-name NAME  queue name (default fewprompt-fewclue)
  --out DIR          per-job artefacts (metrics, predictions, checkpoints) (default fewprompt-worker)
  --lock-ms N        job lock duration in ms (default 30000): how soon a dead worker's job is retried
  --setup MODULE     a module each job process imports first, e.g. one that registers your methods
                     (registerMethod); its exported beforeJob(job, attempt), if any, runs before each job
  --local            internal: serve jobs over IPC for 'fewprompt fewclue --workers N'`;

const FLAGS = {
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  out: { type: 'string' },
  'lock-ms': { type: 'string' },
  local: { type: 'boolean' },
  setup: { type: 'string' },
} as const;

function parseFlags(args: string[]) {
  return parseArgs({ args, options: FLAGS, strict: true });
}

/** `fewprompt worker`: a queue worker, or (`--local`) a suite's IPC child. */
export const workerCommand: Command = {
  name: 'worker',
  usage,
  options: FLAGS,
  async run(args) {
    const { values } = parseFlags(args);
    // Loaded here: `worker --help` must not wait for BullMQ and the suite.
    if (values.local) return (await import('../suite/child-process.js')).serveJobsOverIpc(values.setup);
    const { startQueueWorker } = await import('../suite/queue.js');
    if (values.queue === undefined)
      throw new ConfigError('worker needs --queue redis://HOST:PORT (or --local, used internally by --workers)');
    const lockMs = values['lock-ms'] === undefined ? undefined : Number(values['lock-ms']);
    if (lockMs !== undefined && !(Number.isInteger(lockMs) && lockMs >= 1000))
      throw new ConfigError(`--lock-ms must be an integer ≥ 1000, got '${values['lock-ms']}'`);
    const name = values['queue-name'];
    const worker = startQueueWorker({
      url: values.queue,
      runsDir: join(values.out ?? 'fewprompt-worker', 'runs'),
      ...(name === undefined ? {} : { name }),
      ...(lockMs === undefined ? {} : { lockMs }),
      ...(values.setup === undefined ? {} : { setup: values.setup }),
      onEvent: (event, id, detail) => console.log(`${event} ${id} (${detail})`),
    });
    try {
      await worker.ready;
    } catch (error) {
      await worker.close().catch(() => {});
      throw error;
    }
    console.log(`worker ${process.pid} listening on ${values.queue} (${name ?? 'fewprompt-fewclue'})`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.once('SIGINT', () => process.exit(130));
        process.once('SIGTERM', () => process.exit(143));
        void worker.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
