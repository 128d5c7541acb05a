#!/usr/bin/env node
// The `fewprompt` command. In a checkout it runs the TypeScript sources through tsx (no build step to forget); the
// npm package ships the compiled dist/ instead (scripts/build.mjs) and no sources.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TRAINING_NODE_FLAGS, trainingEnv } from './training-process.mjs';

// Training commands need Node flags and malloc settings that only take effect at start-up (training-process.mjs):
// they restart the process once with them (the suite's worker processes are forked with them).
// FEWPROMPT_NO_RESPAWN=1 keeps the first process (debuggers, profilers).
const TRAINING_COMMANDS = new Set(['train', 'pretrain', 'fewclue', 'taskflow-train']);
const args = process.argv.slice(2);
const respawn =
  TRAINING_COMMANDS.has(args[0]) &&
  !TRAINING_NODE_FLAGS.every((f) => process.execArgv.includes(f)) &&
  !args.includes('--help') &&
  !args.includes('-h') &&
  process.env.FEWPROMPT_NO_RESPAWN !== '1';
const argv = [...TRAINING_NODE_FLAGS, ...process.execArgv, fileURLToPath(import.meta.url), ...args];

if (respawn && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...argv], trainingEnv(process.env)); // Node ≥ 22.15: same pid
} else if (respawn) {
  const child = spawn(process.execPath, argv, {
    stdio: 'inherit',
    env: { ...trainingEnv(process.env), FEWPROMPT_PARENT_PID: String(process.pid) },
  });
  // A terminal's Ctrl-C reaches both processes (same process group): the parent waits for the child instead.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  // A SIGKILLed parent cannot forward its signal: the restarted child notices it was orphaned and stops too.
  const parent = Number(process.env.FEWPROMPT_PARENT_PID);
  delete process.env.FEWPROMPT_PARENT_PID; // not for this process's own children
  if (parent > 0)
    setInterval(() => {
      if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
    }, 250).unref();
  const sources = new URL('../experiments/cli/main.ts', import.meta.url);
  let main;
  if (existsSync(sources)) {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import(sources.href));
  } else ({ main } = await import('../dist/experiments/cli/main.js'));
  process.exitCode = await main(args);
}
