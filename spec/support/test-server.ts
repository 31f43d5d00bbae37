import { ChatServer, ChatServerOptions, createChatServer } from '../../src/server/server';
import { createLogger } from '../../src/support/logger';
import { LineClient } from './line-client';

export interface TestServer {
  readonly server: ChatServer;
  readonly port: number;
  /** Every line the server logged, at debug level. */
  readonly logs: string[];
  /** Clients opened through `text`/`json`/`open` are closed by `stop`. */
  text(name: string): Promise<LineClient>;
  json(name: string): Promise<LineClient>;
  open(): Promise<LineClient>;
  stop(): Promise<void>;
}

/** Starts a real server on a free loopback port, with its log captured for assertions. */
export async function startTestServer(options: ChatServerOptions = {}): Promise<TestServer> {
  const logs: string[] = [];
  const server = createChatServer({
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('debug', (line) => logs.push(line)),
    // Specs of other rules send bursts faster than a person types; flood-control specs set these back.
    ratePerSecond: 10_000,
    burst: 10_000,
    ...options,
  });
  const { port } = await server.listen();
  const clients: LineClient[] = [];
  const track = async (client: Promise<LineClient>) => {
    const opened = await client;
    clients.push(opened);
    return opened;
  };
  return {
    server,
    port,
    logs,
    text: (name) => track(LineClient.textUser(port, name)),
    json: (name) => track(LineClient.jsonUser(port, name)),
    open: () => track(LineClient.open(port)),
    async stop() {
      for (const client of clients) client.close();
      await server.close();
    },
  };
}
