import type { Command } from './command.js';
import { fewclueCommand } from './fewclue.js';
import { fillMaskCommand } from './fill-mask.js';
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
];
