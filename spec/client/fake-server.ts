import { AddressInfo, createServer, Server, Socket } from 'net';
import { eventually } from '../support/line-client';

/**
 * A scripted TCP server on a free loopback port that says whatever a test tells it to: for checking
 * how the client copes with a broken, silent or hostile server, which the real one never is.
 */
export class FakeServer {
  /** Lines each connection sent, by connection, in order. */
  readonly received: string[][] = [];
  readonly sockets: Socket[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeServer> {
    let fake: FakeServer | undefined;
    const server = createServer((socket) => fake!.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeServer(server, (server.address() as AddressInfo).port);
    return fake;
  }

  /** Waits for the `index`th connection (0 = first). */
  async connection(index = 0): Promise<Socket> {
    await eventually(() => this.sockets.length > index, `connection #${index} to the fake server`);
    return this.sockets[index];
  }

  /** Writes raw lines to a connection. */
  async send(lines: string[], index = 0): Promise<void> {
    (await this.connection(index)).write(lines.map((line) => `${line}\n`).join(''));
  }

  /** Waits until connection `index` has sent a line matching `match`; returns it parsed if it is JSON. */
  async waitForReceived(match: (line: string) => boolean, index = 0): Promise<string> {
    await eventually(() => (this.received[index] ?? []).some(match), `a matching line from the client: ${JSON.stringify(this.received)}`);
    return this.received[index].find(match)!;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const lines: string[] = [];
    this.received.push(lines);
    this.sockets.push(socket);
    let partial = '';
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
}
