import { createServer as createTcpServer, AddressInfo, Server, Socket } from 'net';
import { createServer as createTlsServer } from 'tls';
import { Subject, Subscription } from 'rxjs';
import {
  DEFAULT_BURST,
  DEFAULT_CATCH_UP_MS,
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_HOLD_SHARE,
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
  HOUSEKEEPING_INTERVAL_MS,
} from '../protocol/limits';
import { ConnectionSource, Delivery, recipients } from '../room/events';
import { createRoom, inProcessLog, InputLog } from '../room/room';
import { Transition } from '../room/reducer';
import { ClusterNode, ClusterOptions } from '../cluster/cluster-node';
import { HistoryReplay } from '../cluster/history-replay';
import { describeConnId } from '../cluster/node-ids';
import { ConnId, DEFAULT_ROOM_CONFIG, initialRoomState, RoomConfig, RoomState } from '../room/state';
import { Connection, ConnectionContext, ConnectionLimits } from './connection';
import { InputGate } from './input-gate';
import { WriteBatch } from './write-batch';
import { Logger, silentLogger } from '../support/logger';
import { createMetricsRegistry, createTrafficCounters, serveMetrics, TrafficCounters } from './metrics';
import { Server as HttpServer } from 'http';
import { SharedEncoding } from '../protocol/shared-encoding';
import { withDefaults } from '../support/with-defaults';

/** The defaults of every per-connection limit (see src/protocol/limits.ts for why each is what it is). */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  lineIdleMs: DEFAULT_LINE_IDLE_MS,
  maxMessageLength: DEFAULT_MAX_MESSAGE_LENGTH,
  closeGraceMs: DEFAULT_CLOSE_GRACE_MS,
  sendQueueBytes: DEFAULT_SEND_QUEUE_BYTES,
  slowTimeoutMs: DEFAULT_SLOW_TIMEOUT_SECONDS * 1000,
  ratePerSecond: DEFAULT_RATE_PER_SECOND,
  burst: DEFAULT_BURST,
  floodDisconnectAfter: DEFAULT_FLOOD_DISCONNECT_AFTER,
  registerTimeoutMs: DEFAULT_REGISTER_TIMEOUT_SECONDS * 1000,
  pingIntervalMs: DEFAULT_PING_INTERVAL_SECONDS * 1000,
  pingTimeoutMs: DEFAULT_PING_TIMEOUT_SECONDS * 1000,
  catchUpMs: DEFAULT_CATCH_UP_MS,
};

export interface ChatServerOptions extends Partial<ConnectionLimits>, Partial<RoomConfig> {
  /** Address to listen on. Default `127.0.0.1`; `0.0.0.0` accepts other machines. */
  readonly host?: string;
  /** TCP port; `0` picks a free one (see `address()`). Default 53000. */
  readonly port?: number;
  /** Most connections at once; more are told the server is full and closed. */
  readonly maxConnections?: number;
  /** Most connections from one IP address. */
  readonly maxPerIp?: number;
  /** The share of connections that must be catching up at once for input to be held (see InputGate). */
  readonly holdShare?: number;
  /** Whether loopback addresses are exempt from `maxPerIp` (default true: local tools and tests). */
  readonly exemptLoopback?: boolean;
  /** Serve Prometheus metrics over HTTP on this port (0 picks a free one); none when undefined. */
  readonly metricsPort?: number;
  /** Address for the metrics endpoint; defaults to `host`. */
  readonly metricsHost?: string;
  /** Serve TLS with this certificate and key (PEM) instead of plain TCP. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /**
   * Share the chat with other servers through Redis (see ClusterNode): the same rooms, names and
   * history on every server. Without it the chat lives in this process alone.
   */
  readonly redis?: Omit<ClusterOptions, 'rules' | 'log'>;
  readonly logger?: Logger;
}

export interface ChatServer {
  /** Starts listening; rejects with the `listen` error (e.g. `EADDRINUSE`). */
  listen(): Promise<AddressInfo>;
  /** Says goodbye to every client, closes every socket and stops listening. */
  close(): Promise<void>;
  address(): AddressInfo;
  /** A snapshot of the server's load, for tests and metrics. */
  stats(): ServerStats;
  /** Where the metrics endpoint listens, once `listen()` has resolved; undefined without one. */
  metricsAddress(): AddressInfo | undefined;
}

export interface ServerStats {
  /** Open client connections, named or not. */
  readonly connections: number;
  /** Output waiting for slow peers, in our queues and the sockets' buffers, summed over connections. */
  readonly pendingBytes: number;
  /** The largest `pendingBytes` of any one connection. */
  readonly maxPendingBytes: number;
  /** Users with a name. */
  readonly users: number;
  /** Rooms with somebody in them. */
  readonly rooms: number;
  /** Everything counted since the server started. */
  readonly traffic: Readonly<TrafficCounters>;
}

export const SHUTDOWN_MESSAGE = 'The server is shutting down. Goodbye!';

/**
 * The TCP side of the chat: accepts sockets, turns each into a `Connection`, hands their input streams
 * to the room, and routes the room's deliveries back to the sockets.
 */
export function createChatServer(options: ChatServerOptions = {}): ChatServer {
  const {
    host = DEFAULT_HOST,
    port = DEFAULT_PORT,
    maxConnections = DEFAULT_MAX_CONNECTIONS,
    maxPerIp = DEFAULT_MAX_PER_IP,
    exemptLoopback = true,
    holdShare = DEFAULT_HOLD_SHARE,
    tls,
    metricsPort,
    metricsHost = host,
    logger: log = silentLogger,
  } = options;
  const limits = withDefaults(DEFAULT_CONNECTION_LIMITS, options);
  const roomConfig: RoomConfig = { ...withDefaults(DEFAULT_ROOM_CONFIG, options), ...(options.motd === undefined ? {} : { motd: options.motd }) };

  const connections = new Map<ConnId, Connection>();
  const connectionsPerIp = new Map<string, number>();
  const connections$ = new Subject<ConnectionSource>();
  let nextConnId: ConnId = 1;
  /** This server's part of a cluster, once `listen()` has joined it; undefined for a lone server. */
  let cluster: ClusterNode | undefined;
  let historyReplay: HistoryReplay | undefined;

  const traffic = createTrafficCounters();
  const context: ConnectionContext = { limits, log, traffic, gate: new InputGate(holdShare, () => connections.size), writes: new WriteBatch(), now: Date.now };
  /** The room's latest state, for the gauges; read-only here (the room alone changes it). */
  let roomState: RoomState = initialRoomState;
  let metricsServer: HttpServer | undefined;

  const subscriptions = new Subscription();

  /**
   * Starts the room over the chat's log: this process's inputs alone, or, in a cluster, the shared
   * log of every server. In a cluster the room keeps no history itself; Redis does (HistoryReplay).
   */
  function startRoom(inputLog: InputLog): void {
    const config = cluster ? { ...roomConfig, maxRoomsPerUser: cluster.rules.maxRoomsPerUser, historyLength: 0 } : roomConfig;
    const room = createRoom(connections$, {
      config,
      log: inputLog,
      onReducerError: (err, input) => log.error(`the room failed on a ${input.type} input from ${describeConnId(input.from)} and carried on: ${(err as Error).stack ?? String(err)}`),
    });
    subscriptions.add(room.transitions$.subscribe(onTransition));
  }

  function onTransition(transition: Transition): void {
    const before = roomState;
    roomState = transition.state;
    historyReplay?.record(transition);
    for (const delivery of transition.deliveries) {
      deliver(delivery, before);
      recordMembership(delivery);
    }
  }

  /** Sends a delivery to whichever of its recipients are connected here. */
  function deliver(delivery: Delivery, before: RoomState): void {
    const encoding = new SharedEncoding(delivery.event);
    for (const id of recipients(delivery.to)) {
      const connection = connections.get(id);
      if (connection === undefined) continue;
      if (historyReplay) historyReplay.deliver(connection, encoding, before, roomState);
      else connection.deliver(encoding);
    }
  }

  /** Joins the cluster named by `options.redis`, or does nothing for a lone server. */
  async function joinCluster(): Promise<InputLog> {
    if (!options.redis) return inProcessLog;
    const rules = { historyLength: roomConfig.historyLength, maxRoomsPerUser: roomConfig.maxRoomsPerUser };
    cluster = await ClusterNode.connect({ ...options.redis, rules, log });
    nextConnId = cluster.firstConnId;
    historyReplay = new HistoryReplay(cluster, cluster.rules.historyLength, log);
    cluster.attach({
      state: () => roomState,
      send: (id, event) => connections.get(id)?.deliver(new SharedEncoding(event)),
      broadcast: (event) => {
        const encoding = new SharedEncoding(event);
        for (const connection of connections.values()) connection.deliver(encoding);
      },
      ids: () => connections.keys(),
      evict: (id, message) => connections.get(id)?.evict(message),
    });
    return cluster.log;
  }

  /** Logs joins, leaves and renames, and counts leaves by reason for the metrics. */
  function recordMembership({ event }: Delivery): void {
    if (event.type === 'welcome') log.info(`${event.name} joined`);
    else if (event.type === 'left' && event.reason !== 'part') {
      log.info(`${event.name} left (${event.reason})`);
      traffic.leaves[event.reason] = (traffic.leaves[event.reason] ?? 0) + 1;
    }
    else if (event.type === 'nick') log.info(`${event.old} is now ${event.name}`);
  }

  function onConnection(socket: Socket): void {
    const address = socket.remoteAddress;
    if (address === undefined) {
      // The peer reset before we got to it: nothing to talk to, and no address to count it under.
      socket.destroy();
      return;
    }
    const refusal = admissionRefusal(address);
    if (refusal !== null) {
      log.warn(`refused ${address}:${socket.remotePort ?? '?'}: ${refusal}`);
      socket.on('error', () => {});
      // Closed once the reason is written, whether or not the peer ever reads it.
      socket.end(`*** Error: ${refusal}\n`, () => socket.destroy());
      return;
    }
    connectionsPerIp.set(address, (connectionsPerIp.get(address) ?? 0) + 1);
    const connection = new Connection(nextConnId++, socket, context);
    connections.set(connection.id, connection);
    log.info(`connect ${connection.remote} (${describeConnId(connection.id)})`);
    socket.once('close', function onClose() {
      // Still routed to until its last input is in: the answer to a name sent just before hanging up.
      void connection.inputDone.then(() => connections.delete(connection.id));
      const remaining = (connectionsPerIp.get(address) ?? 1) - 1;
      if (remaining === 0) connectionsPerIp.delete(address);
      else connectionsPerIp.set(address, remaining);
      // A connection that never got a name leaves no "left" line: say here why it ended.
      const unnamed = connection.named ? '' : ` without a name: ${connection.describeEnd()}`;
      log.info(`disconnect ${connection.remote} (${describeConnId(connection.id)})${unnamed}`);
    });
    connection.greet();
    const clusterGreeting = cluster?.greeting();
    if (clusterGreeting) connection.deliver(new SharedEncoding(clusterGreeting));
    connections$.next({ id: connection.id, input$: connection.input$ });
  }

  function admissionRefusal(address: string): string | null {
    if (connections.size >= maxConnections) return `the server is full (${maxConnections} connections); try again later`;
    if (!(exemptLoopback && isLoopback(address)) && (connectionsPerIp.get(address) ?? 0) >= maxPerIp) {
      return `too many connections from your address (at most ${maxPerIp})`;
    }
    return null;
  }

  const server: Server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key }, onConnection).on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) =>
        // Info, not debug: a plain-text client on the TLS port never becomes a connection, and this is the only trace of it.
        log.info(`TLS handshake failed from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}: ${err.code ?? err.message}`),
      )
    : createTcpServer(onConnection);

  // Timeouts are checked by one sweep over all connections rather than a timer per connection.
  const housekeeping = setInterval(() => {
    const now = Date.now();
    for (const connection of connections.values()) connection.tick(now);
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();

  // Accept errors (EMFILE when out of file descriptors) come in storms: log the first at once, then at
  // most one line a second saying how many more there were, so that a storm that stops is still counted.
  let lastAcceptErrorLog = 0;
  let suppressedAcceptErrors = 0;
  let acceptErrorFlush: NodeJS.Timeout | undefined;
  function onServerError(err: NodeJS.ErrnoException): void {
    const code = err.code ?? err.message;
    const now = Date.now();
    if (acceptErrorFlush === undefined && now - lastAcceptErrorLog >= 1000) {
      log.error(`server error: ${code}`);
      lastAcceptErrorLog = now;
      return;
    }
    suppressedAcceptErrors += 1;
    acceptErrorFlush ??= setTimeout(() => {
      log.error(`server error: ${code} (${suppressedAcceptErrors} more in the last second)`);
      acceptErrorFlush = undefined;
      suppressedAcceptErrors = 0;
      lastAcceptErrorLog = Date.now();
    }, Math.max(0, 1000 - (now - lastAcceptErrorLog))).unref();
  }

  function stats(): ServerStats {
    let pendingBytes = 0;
    let maxPendingBytes = 0;
    for (const connection of connections.values()) {
      pendingBytes += connection.pendingBytes;
      maxPendingBytes = Math.max(maxPendingBytes, connection.pendingBytes);
    }
    return { connections: connections.size, pendingBytes, maxPendingBytes, users: roomState.users.size, rooms: roomState.channels.size, traffic };
  }

  async function startMetrics(): Promise<void> {
    if (metricsPort === undefined) return;
    const registry = createMetricsRegistry({
      traffic,
      connections: () => connections.size,
      users: () => roomState.users.size,
      rooms: () => roomState.channels.size,
      pendingBytes: () => stats().pendingBytes,
    });
    metricsServer = await serveMetrics(registry, metricsHost, metricsPort, log);
  }

  return {
    async listen() {
      startRoom(await joinCluster());
      await startMetrics();
      return new Promise<AddressInfo>((resolve, reject) => {
        const onError = (err: Error) => {
          void cluster?.close();
          reject(err);
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          // Errors after listening (accept failures such as EMFILE) must not crash the process.
          server.on('error', onServerError);
          const address = server.address() as AddressInfo;
          log.info(`listening on ${formatAddress(address)}`);
          resolve(address);
        });
      });
    },

    async close() {
      clearInterval(housekeeping);
      if (acceptErrorFlush) clearTimeout(acceptErrorFlush);
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Everyone is told first and stops receiving, then the leaves are recorded (and logged) as
      // shutdowns: nobody is sent a stream of "left" notices on the way out.
      const closing = Array.from(connections.values());
      for (const connection of closing) connection.sayShutdown(SHUTDOWN_MESSAGE);
      for (const connection of closing) connection.reportLeave('shutdown');
      await Promise.all(closing.map((connection) => connection.closed()));
      connections$.complete();
      // After the connections: their leaves must reach the other servers before this one lets go.
      await cluster?.close();
      subscriptions.unsubscribe();
      await stopped;
    },

    address() {
      return server.address() as AddressInfo;
    },

    stats,

    metricsAddress() {
      return metricsServer?.address() as AddressInfo | undefined;
    },
  };
}

export function formatAddress({ address, port, family }: AddressInfo): string {
  return family === 'IPv6' ? `[${address}]:${port}` : `${address}:${port}`;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
