// How fewprompt starts a process that trains: Node flags and environment that V8 and glibc read only at start-up.
//
// - `--single-threaded-gc`: training allocates hundreds of MB of host tensors a step (the native backend's outputs);
//   V8's concurrent GC threads otherwise compete with ONNX Runtime's threads for the cores (a 4 × 256 MLM step:
//   ~370 ms with the flag, 450–900 ms without).
// - glibc's malloc keeps freed memory for reuse instead of returning each large block to the kernel: on the VMs we
//   measured, touching fresh pages cost ~2.6 ms a MB (a new 52 MB buffer: 130 ms to fill; a reused one: 4 ms), and
//   every kernel output is a new buffer. Other platforms ignore GLIBC_TUNABLES.

/** Node flags of a training process. */
export const TRAINING_NODE_FLAGS = ['--single-threaded-gc'];

/** glibc malloc settings of a training process: no mmap'd blocks, never trim the heap. */
export const MALLOC_TUNABLES = 'glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736';

/** `env` with the malloc settings added (kept once; other GLIBC_TUNABLES entries are kept). */
export function trainingEnv(env) {
  const current = env.GLIBC_TUNABLES;
  if (current?.includes(MALLOC_TUNABLES)) return { ...env };
  return { ...env, GLIBC_TUNABLES: current ? `${current}:${MALLOC_TUNABLES}` : MALLOC_TUNABLES };
}
