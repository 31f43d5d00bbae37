import { readFileSync } from 'fs';
import type { Argv } from 'yargs';
import {
  DEFAULT_ANNOUNCE_LIMIT,
  DEFAULT_BURST,
  DEFAULT_CATCH_UP_MS,
  DEFAULT_HOLD_SHARE,
  DEFAULT_HISTORY_LENGTH,
  DEFAULT_MAX_ROOMS_PER_USER,
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_FLOOD_DISCONNECT_AFTER,
  DEFAULT_HOST,
  DEFAULT_LINE_IDLE_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_MESSAGE_LENGTH,
  DEFAULT_MAX_PER_IP,
  DEFAULT_PING_INTERVAL_SECONDS,
  DEFAULT_PING_TIMEOUT_SECONDS,
  DEFAULT_PORT,
  DEFAULT_RATE_PER_SECOND,
  DEFAULT_REGISTER_TIMEOUT_SECONDS,
  DEFAULT_SEND_QUEUE_BYTES,
  DEFAULT_SLOW_TIMEOUT_SECONDS,
  DEFAULT_NODE_TIMEOUT_SECONDS,
  DEFAULT_REDIS_BACKOFF_MAX_MS,
  DEFAULT_REDIS_PREFIX,
  DEFAULT_REDIS_READ_BATCH,
  DEFAULT_REDIS_TIMEOUT_MS,
  DEFAULT_SNAPSHOT_INTERVAL_SECONDS,
} from '../protocol/limits';
import { RedisUnavailableError } from '../cluster/cluster-node';
import { cleanText } from '../protocol/sanitize';
import { createLogger, LOG_LEVELS, LogLevel } from '../support/logger';
import { createChatServer } from '../server/server';
import { effectiveMaxConnections, openFileLimit } from './fd-limit';
import { keyPrefix, redisUrl, nonNegativeInteger, oneOf, shareOfOne, positiveInteger, positiveNumber, portNumber } from './validate';

/**
 * `chat serve` flags. Each can also be set as an environment variable: `--max-frame-bytes` is
 * `CHAT_MAX_FRAME_BYTES` (main.ts reads them, for every flag declared here).
 */
export function serveOptions(yargs: Argv) {
  return yargs
    .option('host', { type: 'string', default: DEFAULT_HOST, describe: 'Address to listen on (0.0.0.0 accepts other machines)' })
    .option('port', { type: 'number', default: DEFAULT_PORT, describe: 'TCP port to listen on (0 picks a free one)', coerce: (value: number) => portNumber(value) })
    .option('max-frame-bytes', { type: 'number', default: DEFAULT_MAX_FRAME_BYTES, describe: 'Longest line a client may send, in bytes', coerce: positiveInteger('--max-frame-bytes') })
    .option('line-idle-ms', { type: 'number', default: DEFAULT_LINE_IDLE_MS, describe: 'Until a client ends a line, a pause this long, in ms, ends the line it was sending (the original chat clients send no newlines); 0 turns it off', coerce: nonNegativeInteger('--line-idle-ms') })
    .option('max-message-length', { type: 'number', default: DEFAULT_MAX_MESSAGE_LENGTH, describe: 'Longest chat message, in characters', coerce: positiveInteger('--max-message-length') })
    .option('close-grace-ms', { type: 'number', default: DEFAULT_CLOSE_GRACE_MS, describe: 'How long a closing client may take to hang up before it is cut off, in ms', coerce: positiveInteger('--close-grace-ms') })
    .option('history', { type: 'number', default: DEFAULT_HISTORY_LENGTH, describe: 'Messages of a room shown to a newcomer (0 for none)', coerce: nonNegativeInteger('--history') })
    .option('motd', { type: 'string', describe: 'Message of the day, shown to everyone on welcome' })
    .option('max-rooms-per-user', { type: 'number', default: DEFAULT_MAX_ROOMS_PER_USER, describe: 'Rooms one user may be in at once', coerce: positiveInteger('--max-rooms-per-user') })
    .option('announce-limit', { type: 'number', default: DEFAULT_ANNOUNCE_LIMIT, describe: 'Rooms with more members than this do not announce joins and leaves', coerce: nonNegativeInteger('--announce-limit') })
    .option('send-queue-bytes', { type: 'number', default: DEFAULT_SEND_QUEUE_BYTES, describe: 'Output a slow client may have waiting before its oldest messages are dropped, in bytes', coerce: positiveInteger('--send-queue-bytes') })
    .option('catch-up-ms', { type: 'number', default: DEFAULT_CATCH_UP_MS, describe: 'A reader that fell behind and reads nothing for this long, in ms, is slow: it stops holding back input in a burst, and its oldest messages are dropped instead', coerce: nonNegativeInteger('--catch-up-ms') })
    .option('hold-share', { type: 'number', default: DEFAULT_HOLD_SHARE, describe: 'Share of connections that must be catching up at once (a burst) for new input to be held', coerce: shareOfOne('--hold-share') })
    .option('slow-timeout', { type: 'number', default: DEFAULT_SLOW_TIMEOUT_SECONDS, describe: 'Seconds a client may stay behind before it is disconnected as too slow', coerce: positiveNumber('--slow-timeout') })
    .option('rate', { type: 'number', default: DEFAULT_RATE_PER_SECOND, describe: 'Lines a client may send per second, sustained', coerce: positiveNumber('--rate') })
    .option('burst', { type: 'number', default: DEFAULT_BURST, describe: 'Lines a client may send at once (a paste) before --rate applies', coerce: positiveInteger('--burst') })
    .option('flood-disconnect-after', { type: 'number', default: DEFAULT_FLOOD_DISCONNECT_AFTER, describe: 'Lines refused for flooding before the client is disconnected', coerce: positiveInteger('--flood-disconnect-after') })
    .option('register-timeout', { type: 'number', default: DEFAULT_REGISTER_TIMEOUT_SECONDS, describe: 'Seconds a new connection has to choose a name', coerce: positiveNumber('--register-timeout') })
    .option('ping-interval', { type: 'number', default: DEFAULT_PING_INTERVAL_SECONDS, describe: 'Seconds of silence before a JSON client is pinged', coerce: positiveNumber('--ping-interval') })
    .option('ping-timeout', { type: 'number', default: DEFAULT_PING_TIMEOUT_SECONDS, describe: 'Seconds a JSON client has to answer a ping', coerce: positiveNumber('--ping-timeout') })
    .option('max-connections', { type: 'number', default: DEFAULT_MAX_CONNECTIONS, describe: 'Most connections at once', coerce: positiveInteger('--max-connections') })
    .option('max-per-ip', { type: 'number', default: DEFAULT_MAX_PER_IP, describe: 'Most connections from one IP address', coerce: positiveInteger('--max-per-ip') })
    .option('exempt-loopback', { type: 'boolean', default: true, describe: 'Exempt 127.0.0.1 and ::1 from --max-per-ip (--no-exempt-loopback caps them too)' })
    .option('metrics-port', { type: 'number', describe: 'Serve Prometheus metrics at http://HOST:PORT/metrics (off by default)', coerce: (value: number) => portNumber(value, '--metrics-port') })
    .option('metrics-host', { type: 'string', describe: 'Address for the metrics endpoint (default: --host)' })
    .option('tls-cert', { type: 'string', describe: 'Serve TLS with this certificate (PEM file); needs --tls-key' })
    .option('tls-key', { type: 'string', describe: 'Private key (PEM file) for --tls-cert' })
    .option('redis', { type: 'string', alias: 'redis-url', describe: 'Share rooms, names and history with other `chat serve` processes through this Redis (redis://host:port); also CHAT_REDIS_URL', coerce: redisUrl })
    .option('redis-prefix', { type: 'string', default: DEFAULT_REDIS_PREFIX, describe: 'Prefix of every Redis key, so several chats can share one Redis', coerce: keyPrefix })
    .option('node-timeout', { type: 'number', default: DEFAULT_NODE_TIMEOUT_SECONDS, describe: 'Seconds after which a silent server counts as dead: its users leave and their names are free', coerce: positiveNumber('--node-timeout') })
    .option('redis-timeout-ms', { type: 'number', default: DEFAULT_REDIS_TIMEOUT_MS, describe: 'A Redis command unanswered for this long fails and the chat counts as degraded, in ms', coerce: positiveInteger('--redis-timeout-ms') })
    .option('redis-backoff-max-ms', { type: 'number', default: DEFAULT_REDIS_BACKOFF_MAX_MS, describe: 'Longest wait between attempts to reach Redis again, in ms', coerce: positiveInteger('--redis-backoff-max-ms') })
    .option('snapshot-interval', { type: 'number', default: DEFAULT_SNAPSHOT_INTERVAL_SECONDS, describe: 'Seconds between saves of the shared snapshot that new servers start from', coerce: positiveNumber('--snapshot-interval') })
    .option('redis-read-batch', { type: 'number', default: DEFAULT_REDIS_READ_BATCH, describe: 'Most log entries read from Redis at once', coerce: positiveInteger('--redis-read-batch') })
    .check((args) => {
      if (Boolean(args.tlsCert) !== Boolean(args.tlsKey)) throw new Error('--tls-cert and --tls-key go together: give both or neither');
      return true;
    })
    .option('log-level', { type: 'string', choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'How much to log to stderr', coerce: oneOf('--log-level', LOG_LEVELS) });
}

type ServeArgs = Awaited<ReturnType<typeof serveOptions>['argv']>;

/** Runs the server until SIGINT or SIGTERM, then says goodbye to everyone and exits 0. */
export async function serve(args: ServeArgs): Promise<void> {
  const log = createLogger(args.logLevel as LogLevel);
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (args.tlsCert && args.tlsKey) {
    try {
      tls = { cert: readFileSync(args.tlsCert), key: readFileSync(args.tlsKey) };
    } catch (err) {
      process.stderr.write(`chat serve: cannot read the TLS certificate or key: ${(err as Error).message}\n`);
      process.exit(1);
    }
  }
  const connectionCap = effectiveMaxConnections(args.maxConnections, openFileLimit());
  if (connectionCap.warning) log.warn(connectionCap.warning);
  let server;
  try {
    server = createChatServer({
      host: args.host,
      port: args.port,
      maxFrameBytes: args.maxFrameBytes,
      lineIdleMs: args.lineIdleMs,
      maxMessageLength: args.maxMessageLength,
      closeGraceMs: args.closeGraceMs,
      sendQueueBytes: args.sendQueueBytes,
      catchUpMs: args.catchUpMs,
      holdShare: args.holdShare,
      slowTimeoutMs: args.slowTimeout * 1000,
      ratePerSecond: args.rate,
      burst: args.burst,
      floodDisconnectAfter: args.floodDisconnectAfter,
      registerTimeoutMs: args.registerTimeout * 1000,
      pingIntervalMs: args.pingInterval * 1000,
      pingTimeoutMs: args.pingTimeout * 1000,
      maxConnections: connectionCap.max,
      maxPerIp: args.maxPerIp,
      historyLength: args.history,
      motd: args.motd === undefined ? undefined : cleanText(args.motd),
      maxRoomsPerUser: args.maxRoomsPerUser,
      announceLimit: args.announceLimit,
      metricsPort: args.metricsPort,
      metricsHost: args.metricsHost,
      exemptLoopback: args.exemptLoopback,
      tls,
      redis:
        args.redis === undefined
          ? undefined
          : {
              url: args.redis,
              prefix: args.redisPrefix,
              nodeTimeoutMs: args.nodeTimeout * 1000,
              commandTimeoutMs: args.redisTimeoutMs,
              backoffMaxMs: args.redisBackoffMaxMs,
              snapshotIntervalMs: args.snapshotInterval * 1000,
              readBatch: args.redisReadBatch,
            },
      logger: log,
    });
  } catch (err) {
    // A certificate and key that do not parse or do not match are reported here by Node.
    process.stderr.write(`chat serve: invalid TLS certificate or key: ${(err as Error).message}\n`);
    process.exit(1);
  }
  // Handlers go in before listening: a signal that arrives as soon as we announce the port must
  // still get the orderly shutdown, not the default action.
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

  try {
    await server.listen();
  } catch (err) {
    if (err instanceof RedisUnavailableError) {
      process.stderr.write(`chat serve: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`chat serve: ${describeListenError(err as NodeJS.ErrnoException, args.host, args.port)}\n`);
    process.exit(1);
  }
}

/** One line saying why listening failed. Node's listen errors name the address and port that failed. */
function describeListenError(err: NodeJS.ErrnoException & { address?: string; port?: number }, host: string, port: number): string {
  const failedHost = err.address ?? host;
  const failedPort = err.port ?? port;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${failedPort} is already in use on ${failedHost}`;
    case 'EACCES':
      return `permission denied to listen on ${failedHost}:${failedPort}`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `${failedHost} is not an address of this machine`;
    default:
      return `cannot listen on ${failedHost}:${failedPort}: ${err.message}`;
  }
}
