import type { CommandEntry } from './command.js';

/**
 * Every CLI subcommand; add a command by adding its file and one entry here. Modules load lazily: `fewprompt --help`
 * imports none of them (it took 4 s when every command's imports loaded up front).
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'train',
    summary: 'train one task × method (default: PET on the bundled EPRSTMT) and report test accuracy',
    load: async () => (await import('./train.js')).trainCommand,
  },
  {
    name: 'fewclue',
    summary: 'run FewCLUE tasks × methods × splits (locally, in workers, or over a Redis queue) and write a report',
    load: async () => (await import('./fewclue.js')).fewclueCommand,
  },
  {
    name: 'worker',
    summary: 'serve FewCLUE suite jobs from a Redis queue (fewprompt fewclue --queue …)',
    load: async () => (await import('./worker.js')).workerCommand,
  },
  {
    name: 'fill-mask',
    summary: 'top-k predictions for [MASK] tokens',
    load: async () => (await import('./fill-mask.js')).fillMaskCommand,
  },
  {
    name: 'template',
    summary: 'template preview: the token sequence a template gives an example (masks, soft slots, truncation)',
    load: async () => (await import('./template-preview.js')).templateCommand,
  },
  {
    name: 'taskflow',
    summary: 'Taskflow tasks in one line: segmentation, POS, NER, sentiment, text correction, parsing, poetry',
    load: async () => (await import('./taskflow.js')).taskflowCommand,
  },
  {
    name: 'taskflow-train',
    summary: "train a Taskflow task's own model with its family's recipe",
    load: async () => (await import('./taskflow-train.js')).taskflowTrainCommand,
  },
  {
    name: 'pretrain',
    summary: 'masked-LM pretraining on a corpus, with resumable checkpoints',
    load: async () => (await import('./pretrain.js')).pretrainCommand,
  },
  {
    name: 'export',
    summary: 'export a trained run as an ONNX bundle (FP32, FP16 or INT8)',
    load: async () => (await import('./export.js')).exportCommand,
  },
  {
    name: 'predict',
    summary: 'classify texts with an exported ONNX bundle',
    load: async () => (await import('./predict.js')).predictCommand,
  },
  {
    name: 'serve',
    summary: 'HTTP prediction server for exported bundles and Taskflow tasks (micro-batching, Prometheus metrics)',
    load: async () => (await import('./serve.js')).serveCommand,
  },
];
