import { FewpromptError, UnknownKindError } from '../../framework/errors.js';
import { COMMANDS } from './index.js';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  return ['usage: fewprompt <command> [options]', '', 'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', 'fewprompt <command> --help for its options'].join('\n');
}

/** CLI entry point: dispatches to a registered command; typed errors become one line on stderr and exit 2. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UnknownKindError('command', name, COMMANDS.map((c) => c.name));
    if (rest.includes('--help') || rest.includes('-h')) { console.log(command.usage); return 0; }
    return await command.run(rest);
  } catch (error) {
    // Node's parseArgs reports unknown or malformed flags as TypeErrors with an ERR_PARSE_ARGS_* code:
    // they are usage errors like ours, so every command gets the same one-line message and exit status.
    if (error instanceof FewpromptError || isParseArgsError(error)) {
      console.error(`fewprompt ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}
