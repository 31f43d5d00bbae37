import { createServer, AddressInfo, Server, Socket } from 'net';
import { Subject, Subscription } from 'rxjs';
import {
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_HOST,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_MESSAGE_LENGTH,
  DEFAULT_PORT,
} from '../protocol/limits';
import { ConnectionSource, Delivery, recipients } from '../room/events';
import { createRoom } from '../room/room';
import { ConnId } from '../room/state';
import { Connection } from './connection';
import { Logger, silentLogger } from './logger';
import { SharedEncoding } from './shared-encoding';

export interface ChatServerOptions {
  /** Address to listen on. Default `127.0.0.1`; `0.0.0.0` accepts other machines. */
  readonly host?: string;
  /** TCP port; `0` picks a free one (see `address()`). Default 53000. */
  readonly port?: number;
  /** Longest line a client may send, in bytes. */
  readonly maxFrameBytes?: number;
  /** Longest chat message, in characters. */
  readonly maxMessageLength?: number;
  /** How long a closing connection may take to close before it is destroyed, in ms. */
  readonly closeGraceMs?: number;
  readonly logger?: Logger;
}

export interface ChatServer {
  /** Starts listening; rejects with the `listen` error (e.g. `EADDRINUSE`). */
  listen(): Promise<AddressInfo>;
  /** Says goodbye to every client, closes every socket and stops listening. */
  close(): Promise<void>;
  address(): AddressInfo;
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
    maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
    maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH,
    closeGraceMs = DEFAULT_CLOSE_GRACE_MS,
    logger: log = silentLogger,
  } = options;
  const limits = { maxFrameBytes, maxMessageLength, closeGraceMs };

  const connections = new Map<ConnId, Connection>();
  const connections$ = new Subject<ConnectionSource>();
  const room = createRoom(connections$);
  let nextConnId: ConnId = 1;

  const subscriptions = new Subscription();
  subscriptions.add(room.deliveries$.subscribe(deliver));
  subscriptions.add(room.deliveries$.subscribe(logMembership));

  function deliver(delivery: Delivery): void {
    const encoding = new SharedEncoding(delivery.event);
    for (const id of recipients(delivery.to)) connections.get(id)?.deliver(encoding);
  }

  function logMembership({ event }: Delivery): void {
    if (event.type === 'joined') log.info(`${event.name} joined`);
    else if (event.type === 'left') log.info(`${event.name} left (${event.reason})`);
  }

  const server: Server = createServer(function onConnection(socket: Socket) {
    const connection = new Connection(nextConnId++, socket, limits, log);
    connections.set(connection.id, connection);
    log.info(`connect ${connection.remote} (#${connection.id})`);
    socket.once('close', function onClose() {
      connections.delete(connection.id);
      log.info(`disconnect ${connection.remote} (#${connection.id})`);
    });
    connection.greet();
    connections$.next({ id: connection.id, input$: connection.input$ });
  });

  return {
    listen() {
      return new Promise<AddressInfo>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          // Errors after listening (accept failures such as EMFILE) must not crash the process.
          server.on('error', (err: NodeJS.ErrnoException) => log.error(`server error: ${err.code ?? err.message}`));
          const address = server.address() as AddressInfo;
          log.info(`listening on ${formatAddress(address)}`);
          resolve(address);
        });
      });
    },

    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(Array.from(connections.values(), (connection) => connection.shutdown(SHUTDOWN_MESSAGE)));
      connections$.complete();
      subscriptions.unsubscribe();
      await stopped;
    },

    address() {
      return server.address() as AddressInfo;
    },
  };
}

export function formatAddress({ address, port, family }: AddressInfo): string {
  return family === 'IPv6' ? `[${address}]:${port}` : `${address}:${port}`;
}
