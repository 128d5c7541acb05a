import type { Command } from './command.js';
import { fewclueCommand } from './fewclue.js';
import { exportCommand } from './export.js';
import { fillMaskCommand } from './fill-mask.js';
import { predictCommand } from './predict.js';
import { serveCommand } from './serve.js';
import { taskflowCommand } from './taskflow.js';
import { pretrainCommand } from './pretrain.js';
import { templateCommand } from './template-preview.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';

/** Every CLI subcommand; add a command by adding its file and one entry here. */
export const COMMANDS: readonly Command[] = [
  trainCommand,
  fewclueCommand,
  workerCommand,
  fillMaskCommand,
  templateCommand,
  taskflowCommand,
  pretrainCommand,
  exportCommand,
  predictCommand,
  serveCommand,
];
