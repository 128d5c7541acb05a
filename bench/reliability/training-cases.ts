/**
 * Training interrupted the hard ways: `kill -9` between checkpoints and in the middle of writing one, and a disk that
 * fills up. Each resumed run must end with the same weights as the uninterrupted one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { attempt, BIN, type Bench, fp, linesOf, record, seconds, start, startGroup, until } from './harness.js';

/** A short run with a checkpoint at every evaluation (steps 2, 4, 6), scored on a few test examples. */
const TRAIN = ['train', '--max-steps', '6', '--eval-every', '2', '--max-test-examples', '16', '--no-predict-test'];
const trainArgs = (out: string, ...extra: string[]) => [
  ...TRAIN,
  '--out',
  out,
  '--no-track',
  '--no-progress',
  ...extra,
];

const weights = (out: string) => join(out, 'model/model.safetensors');
const same = (a: string, b: string) =>
  existsSync(a) && existsSync(b) && Buffer.compare(readFileSync(a), readFileSync(b)) === 0;

/**
 * Starts the run, waits for `moment` (a condition on its output folder), SIGKILLs its process group (the training
 * process included), then resumes it; the model must equal the reference's byte for byte.
 */
async function killAndResume(
  bench: Bench,
  reference: string,
  name: string,
  moment: (out: string) => boolean,
  describe: (out: string) => string,
): Promise<void> {
  const out = join(bench.work, name.replaceAll(/\W+/g, '-'));
  rmSync(out, { recursive: true, force: true }); // an earlier bench's run or checkpoint would change what resumes
  const t0 = Date.now();
  const p = start(trainArgs(out));
  const caught = await until(() => moment(out), 300_000, 5);
  p.kill('SIGKILL');
  const killed = await p.exited;
  const state = describe(out);
  const resumed = fp(trainArgs(out, '--resume'), 600_000);
  const identical = same(weights(reference), weights(out));
  record(
    name,
    'killed at that moment; --resume exits 0 with identical weights',
    `${caught ? 'killed' : 'NOT caught'} (${killed}; ${state}); resume exit ${resumed.status}, ` +
      `weights ${identical ? 'identical' : 'DIFFER'}`,
    caught && resumed.status === 0 && identical,
    seconds(t0),
  );
}

const files = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort().join(', ') || 'empty' : 'none');

/**
 * Training onto a full disk, in a private mount namespace (`unshare --user --map-root-user --mount`, no root needed)
 * with a 200 MB tmpfs: the first checkpoint (~140 MB) fits, the second does not. Then the tmpfs grows to 1 GB and
 * `--resume` must finish with the reference's weights.
 */
function fullDisk(bench: Bench, reference: string): void {
  const disk = join(bench.work, 'disk');
  mkdirSync(disk, { recursive: true });
  const out = join(disk, 'run');
  const fpCmd = (args: string[]) => [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const script = [
    `mount -t tmpfs -o size=200m tmpfs '${disk}' || exit 90`,
    // stderr goes outside the tmpfs: the full disk cannot take it.
    `${fpCmd(trainArgs(out))} 2>'${disk}.stderr' >/dev/null; echo "first=$?"`,
    `echo "stderr=$(tr '\\n' '~' < '${disk}.stderr')"`,
    `echo "step=$(grep -o '"step": *[0-9]*' '${out}/checkpoint/state.json' | grep -o '[0-9]*$')"`,
    `echo "files=$(ls '${out}/checkpoint' | tr '\\n' ' ')"`,
    `mount -o remount,size=1g '${disk}'`,
    `${fpCmd(trainArgs(out, '--resume'))} >/dev/null 2>&1; echo "resumed=$?"`,
    `cmp -s '${weights(out)}' '${weights(reference)}' && echo same=yes || echo same=no`,
  ].join('\n');
  const t0 = Date.now();
  const r = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script], {
    encoding: 'utf8',
    timeout: 900_000,
    env: { ...process.env, FEWPROMPT_LOG: 'error' },
  });
  const got = Object.fromEntries(
    linesOf(r.stdout ?? '').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  if (r.status === 90 || r.error) {
    record('training onto a full disk', 'runs in a private tmpfs', `no tmpfs: ${r.error?.message ?? r.stderr}`, false);
    return;
  }
  const stderr = (got['stderr'] ?? '').split('~').filter((l) => l !== '');
  record(
    'training onto a full disk (200 MB tmpfs)',
    'exit 2, one line "no space left"; step-2 checkpoint intact; after freeing space --resume gives identical weights',
    `exit ${got['first']}, ${stderr.length} line(s): ${(stderr[0] ?? '').slice(0, 70)}…; checkpoint step ` +
      `${got['step']} (${got['files']?.trim()}); resume exit ${got['resumed']}, ` +
      `weights ${got['same'] === 'yes' ? 'identical' : 'DIFFER'}`,
    got['first'] === '2' &&
      stderr.length === 1 &&
      /no space left on the device/.test(stderr[0]!) &&
      got['step'] === '2' &&
      got['resumed'] === '0' &&
      got['same'] === 'yes',
    seconds(t0),
  );
}

export async function trainingCases(bench: Bench): Promise<void> {
  startGroup('training');
  const reference = join(bench.work, 'train-reference');
  rmSync(reference, { recursive: true, force: true });
  const ref = fp(trainArgs(reference), 600_000);
  if (ref.status !== 0) {
    record('uninterrupted reference run', 'exit 0', `exit ${ref.status}: ${ref.stderr.slice(-200)}`, false);
    return;
  }
  await attempt('kill -9 between checkpoints', 'identical weights', () =>
    killAndResume(
      bench,
      reference,
      'kill -9 after the first checkpoint',
      (out) => existsSync(join(out, 'checkpoint/state.json')),
      (out) => `checkpoint: ${files(join(out, 'checkpoint'))}`,
    ),
  );
  // checkpoint.new appears when a checkpoint starts being written; state.json is its last file.
  await attempt('kill -9 mid-checkpoint-write', 'identical weights', () =>
    killAndResume(
      bench,
      reference,
      'kill -9 while the second checkpoint is written',
      (out) => existsSync(join(out, 'checkpoint/state.json')) && existsSync(join(out, 'checkpoint.new')),
      (out) => `checkpoint.new held: ${files(join(out, 'checkpoint.new'))}`,
    ),
  );
  await attempt('training onto a full disk', 'exit 2, resumable', () => fullDisk(bench, reference));
}
