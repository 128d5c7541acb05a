import { FewpromptError, UnknownKindError } from '../../framework/errors.js';
import { COMMANDS } from './index.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  return [
    'usage: fewprompt <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'fewprompt <command> --help for its options',
  ].join('\n');
}

/** CLI entry point: dispatches to a registered command; typed errors become one line on stderr and exit 2. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 1 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  try {
    if (!entry)
      throw new UnknownKindError(
        'command',
        name,
        COMMANDS.map((c) => c.name),
      );
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(command.usage);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    // Node's parseArgs reports unknown or malformed flags as TypeErrors with an ERR_PARSE_ARGS_* code:
    // they are usage errors like ours, so every command gets the same one-line message and exit status.
    if (error instanceof FewpromptError || isParseArgsError(error)) {
      console.error(`fewprompt ${name}: ${error.message}`);
      return 2;
    }
    const system = systemErrorLine(error);
    if (system !== undefined && process.env['FEWPROMPT_DEBUG'] !== '1') {
      console.error(`fewprompt ${name}: ${system} (FEWPROMPT_DEBUG=1 shows the stack)`);
      return 2;
    }
    throw error;
  }
}

/**
 * What to tell a user about an operating-system error (a full disk, a file it may not write): one line naming the
 * path, instead of a stack with tfjs's minified source. Writes are atomic, so the last complete file (checkpoint,
 * bundle, model) is still in place. Undefined for errors that are bugs.
 */
export function systemErrorLine(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  const where = e.path ? ` (${e.path})` : '';
  switch (e.code) {
    case 'ENOSPC':
      return (
        `no space left on the device${where}; the last complete checkpoint or file is still in place — ` +
        'free space and rerun (with --resume where the command has it)'
      );
    case 'EDQUOT':
      return `disk quota exceeded${where}; the last complete checkpoint or file is still in place`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied${where}`;
    case 'EROFS':
      return `read-only file system${where}`;
    case 'ENOENT':
      return `no such file or directory${where}`;
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files; raise the limit (ulimit -n)';
    default:
      return `${e.code} in ${e.syscall}${where}: ${e.message.split('\n')[0]}`;
  }
}

function isParseArgsError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
  );
}
