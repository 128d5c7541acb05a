/** Minimal levelled logger on stderr; `FEWPROMPT_LOG=debug|info|warn|error|silent` sets the level. */
const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

function currentLevel(): number {
  const env = (process.env.FEWPROMPT_LOG ?? 'info') as LogLevel;
  const index = LEVELS.indexOf(env);
  return index < 0 ? 1 : index;
}

function emit(level: LogLevel, message: string): void {
  if (LEVELS.indexOf(level) >= currentLevel()) process.stderr.write(`[fewprompt] ${message}\n`);
}

export const log = {
  debug: (message: string) => emit('debug', message),
  info: (message: string) => emit('info', message),
  warn: (message: string) => emit('warn', message),
  error: (message: string) => emit('error', message),
};
