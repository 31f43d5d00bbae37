/** Log levels, most severe first. A logger prints its level and everything more severe. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** A logger that writes one readable line per entry: `time level message`. */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (entryLevel: LogLevel) =>
    LOG_LEVELS.indexOf(entryLevel) > threshold
      ? () => {}
      : (message: string) => write(`${new Date().toISOString()} ${entryLevel.padEnd(5)} ${message}\n`);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A logger that drops everything; the default for servers embedded in tests and programs. */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
