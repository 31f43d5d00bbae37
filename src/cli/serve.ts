import type { Argv } from 'yargs';
import {
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_HOST,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_MESSAGE_LENGTH,
  DEFAULT_PORT,
} from '../protocol/limits';
import { createLogger, LOG_LEVELS, LogLevel } from '../server/logger';
import { createChatServer } from '../server/server';
import { positiveInteger, portNumber } from './validate';

/** `chat serve` flags. Each can also be set as an environment variable: `--max-frame-bytes` is `CHAT_MAX_FRAME_BYTES`. */
export function serveOptions(yargs: Argv) {
  return yargs
    .option('host', { type: 'string', default: DEFAULT_HOST, describe: 'Address to listen on (0.0.0.0 accepts other machines)' })
    .option('port', { type: 'number', default: DEFAULT_PORT, describe: 'TCP port to listen on (0 picks a free one)', coerce: portNumber })
    .option('max-frame-bytes', { type: 'number', default: DEFAULT_MAX_FRAME_BYTES, describe: 'Longest line a client may send, in bytes', coerce: positiveInteger('--max-frame-bytes') })
    .option('max-message-length', { type: 'number', default: DEFAULT_MAX_MESSAGE_LENGTH, describe: 'Longest chat message, in characters', coerce: positiveInteger('--max-message-length') })
    .option('close-grace-ms', { type: 'number', default: DEFAULT_CLOSE_GRACE_MS, describe: 'How long a closing client may take to hang up before it is cut off, in ms', coerce: positiveInteger('--close-grace-ms') })
    .option('log-level', { type: 'string', choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'How much to log to stderr' });
}

type ServeArgs = Awaited<ReturnType<typeof serveOptions>['argv']>;

/** Runs the server until SIGINT or SIGTERM, then says goodbye to everyone and exits 0. */
export async function serve(args: ServeArgs): Promise<void> {
  const log = createLogger(args.logLevel as LogLevel);
  const server = createChatServer({
    host: args.host,
    port: args.port,
    maxFrameBytes: args.maxFrameBytes,
    maxMessageLength: args.maxMessageLength,
    closeGraceMs: args.closeGraceMs,
    logger: log,
  });
  try {
    await server.listen();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${args.host}:${args.port}`;
    const why =
      code === 'EADDRINUSE' ? `port ${args.port} is already in use on ${args.host}`
      : code === 'EACCES' ? `permission denied to listen on ${where}`
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? `${args.host} is not an address of this machine`
      : `cannot listen on ${where}: ${(err as Error).message}`;
    process.stderr.write(`chat serve: ${why}\n`);
    process.exit(1);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, shutting down`);
    await server.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
