import type { Command } from './command.js';

/** Every CLI subcommand; add a command by adding its file and one entry here. */
export const COMMANDS: readonly Command[] = [];
