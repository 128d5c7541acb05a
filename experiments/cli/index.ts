import type { Command } from './command.js';
import { fillMaskCommand } from './fill-mask.js';
import { taskflowCommand } from './taskflow.js';
import { pretrainCommand } from './pretrain.js';
import { templateCommand } from './template-preview.js';
import { trainCommand } from './train.js';

/** Every CLI subcommand; add a command by adding its file and one entry here. */
export const COMMANDS: readonly Command[] = [
  trainCommand,
  fillMaskCommand,
  templateCommand,
  taskflowCommand,
  pretrainCommand,
];
