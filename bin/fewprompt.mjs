#!/usr/bin/env node
// The `fewprompt` command. Sources are TypeScript, loaded through tsx so there is no build step to forget.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Training commands allocate hundreds of MB of host tensors a step (the native backend's outputs); V8's
// concurrent GC threads then compete with ONNX Runtime's threads for the cores (a 4 × 256 MLM step: ~370 ms with
// --single-threaded-gc, 450–900 ms without). V8 takes that flag only at start-up, so these commands restart the
// process once with it (the suite's worker processes are forked with it). FEWPROMPT_NO_RESPAWN=1 keeps the first
// process (debuggers, profilers).
const GC_FLAG = '--single-threaded-gc';
// And glibc's malloc keeps freed memory for reuse instead of returning each large block to the kernel: on the VMs
// we measured, touching fresh pages cost ~2.6 ms a MB (a new 52 MB buffer: 130 ms; a reused one: 4 ms), and every
// kernel output is a new buffer. Set before start-up, like the GC flag (glibc reads GLIBC_TUNABLES once).
const MALLOC_TUNABLES = 'glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736';
const tunables = process.env.GLIBC_TUNABLES ? `${process.env.GLIBC_TUNABLES}:${MALLOC_TUNABLES}` : MALLOC_TUNABLES;
const TRAINING_COMMANDS = new Set(['train', 'pretrain', 'fewclue']);
const args = process.argv.slice(2);
const respawn = TRAINING_COMMANDS.has(args[0]) && !process.execArgv.includes(GC_FLAG) && process.env.FEWPROMPT_NO_RESPAWN !== '1';
const argv = [GC_FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...args];

if (respawn && typeof process.execve === 'function') {
  // Node ≥ 22.15: same pid, no parent left
  process.execve(process.execPath, [process.execPath, ...argv], { ...process.env, GLIBC_TUNABLES: tunables });
} else if (respawn) {
  const child = spawn(process.execPath, argv, { stdio: 'inherit', env: { ...process.env, GLIBC_TUNABLES: tunables, FEWPROMPT_PARENT_PID: String(process.pid) } });
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
  if (parent > 0) setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 250).unref();
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../experiments/cli/main.ts');
  process.exitCode = await main(args);
}
