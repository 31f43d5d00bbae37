import { AddressInfo, createServer, Server, Socket } from 'net';
import { ChatClientError, ClientEvent, ConnectionState } from '../../src/client/chat-client';
import { ClientCommand, ServerEvent } from '../../src/protocol/frames';
import { eventually } from '../support/line-client';
import { quitAll, recordClient } from './client-helpers';

/**
 * A clustered server whose shared store is unreachable refuses a `hello` with `unavailable`. That is
 * no verdict on the name: the client must ask again by itself, when the server says the chat is back
 * or, failing that notice, after its backoff delay, and `register()` settles with that answer.
 */

const GREETING = '*** Welcome to chat! (a fake server that plays a degraded cluster node)';
const REFUSED: ServerEvent = {
  type: 'error',
  code: 'unavailable',
  message: 'the chat is degraded (the shared store is unreachable): that was not sent; try again when it is back',
};
const BACK: ServerEvent = { type: 'status', degraded: false, message: 'The chat is back.' };
const DEGRADED: ServerEvent = { type: 'status', degraded: true, message: 'The chat is degraded.' };

/** Fast reconnection and retries, so a test waits milliseconds rather than seconds. */
const QUICK = { reconnectDelayMs: 20, maxReconnectDelayMs: 100 };
/** The fake server never says goodbye; quitting need not wait long for it. */
const SILENT = { goodbyeWaitMs: 50 };
/**
 * A retry delay far longer than any test here: a test that passes with it cannot have been rescued
 * by the timer, only by the server's notice that the chat is back.
 */
const NO_TIMER_IN_TIME = { reconnectDelayMs: 10 * 60_000, maxReconnectDelayMs: 10 * 60_000 };

/** One connection as the fake server sees it: the commands it sent, in order, and a way to answer. */
interface FakeConnection {
  readonly socket: Socket;
  readonly received: ClientCommand[];
  /** The `hello`s received so far, oldest first. */
  readonly hellos: () => string[];
  send(...events: ServerEvent[]): void;
}

/**
 * A fake chat server on a free loopback port that greets, reads JSON commands, and answers each
 * `hello` as `answerHello` says (given how many this server has had, counting from 1).
 */
class DegradedServer {
  readonly connections: FakeConnection[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(answerHello: (name: string, count: number, connection: FakeConnection) => void): Promise<DegradedServer> {
    let hellos = 0;
    let fake: DegradedServer | undefined;
    const server = createServer((socket) => {
      const received: ClientCommand[] = [];
      const connection: FakeConnection = {
        socket,
        received,
        hellos: () => received.flatMap((command) => (command.type === 'hello' ? [command.name] : [])),
        send: (...events) => socket.write(events.map((event) => `${JSON.stringify(event)}\n`).join('')),
      };
      fake!.connections.push(connection);
      socket.on('error', () => {});
      socket.setEncoding('utf8');
      socket.write(`${GREETING}\n`);
      let partial = '';
      socket.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const command = JSON.parse(line) as ClientCommand;
          received.push(command);
          if (command.type === 'hello') answerHello(command.name, ++hellos, connection);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new DegradedServer(server, (server.address() as AddressInfo).port);
    return fake;
  }

  async connection(index: number): Promise<FakeConnection> {
    await eventually(() => this.connections.length > index, `connection #${index} to the fake server`);
    return this.connections[index];
  }

  async stop(): Promise<void> {
    for (const { socket } of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function welcome(name: string): ServerEvent {
  return { type: 'welcome', name, room: '#lobby', users: [name], count: 1 };
}

const isRegistered =
  (name: string) =>
  (event: ClientEvent): boolean =>
    event.type === 'connection' && event.state.status === 'registered' && event.state.name === name;

const registeredAs = (name: string): ConnectionState => ({ status: 'registered', name });

describe('createChatClient when the server cannot take a name for now (unavailable)', () => {
  let server: DegradedServer | undefined;
  afterEach(async () => {
    await quitAll();
    await server?.stop();
    server = undefined;
  });

  it('keeps the name, asks again as soon as the chat is back, and register() settles with that welcome', async () => {
    server = await DegradedServer.start((name, count, connection) => {
      if (count === 1) connection.send(DEGRADED, REFUSED);
      else connection.send(welcome(name));
    });
    const alice = recordClient(server.port, { ...NO_TIMER_IN_TIME, ...SILENT });
    await alice.client.connect();
    let settled = false;
    const registered = alice.client.register('alice').finally(() => (settled = true));

    await alice.waitFor((e) => e.type === 'error' && e.code === 'unavailable', 'the refusal, passed on');
    const first = await server.connection(0);
    expect(first.hellos()).toEqual(['alice']);
    // Still waiting for a real answer: the name is not given up, and no second registration may start.
    expect(settled).toBe(false);
    expect(alice.client.state).toEqual({ status: 'connected' });
    await expect(alice.client.register('bob')).rejects.toMatchObject({ code: 'register_pending' });
    expect(alice.client.say('said while waiting')).toBe('queued');

    first.send(BACK);
    await expect(registered).resolves.toMatchObject({ type: 'welcome', name: 'alice' });
    expect(first.hellos()).toEqual(['alice', 'alice']);
    expect(alice.client.state).toEqual(registeredAs('alice'));
    expect(alice.client.name).toBe('alice');

    // What was said while waiting goes out, and what is said now is sent.
    await eventually(() => first.received.some((c) => c.type === 'say' && c.text === 'said while waiting'), 'the queued line');
    expect(alice.client.say('hello again')).toBe('sent');
    await eventually(() => first.received.some((c) => c.type === 'say' && c.text === 'hello again'), 'the new line at the server');
    expect(server.connections).toHaveLength(1);
  });

  it('asks again after its backoff delay when the server never says the chat is back', async () => {
    server = await DegradedServer.start((name, count, connection) => {
      // Refused twice, so the second wait (a longer one) is covered too; never a `status`.
      if (count <= 2) connection.send(REFUSED);
      else connection.send(welcome(name));
    });
    const alice = recordClient(server.port, { ...QUICK, ...SILENT });
    await alice.client.connect();
    const welcomed = await alice.client.register('alice');

    expect(welcomed).toMatchObject({ type: 'welcome', name: 'alice' });
    expect((await server.connection(0)).hellos()).toEqual(['alice', 'alice', 'alice']);
    expect(alice.events.filter((e) => e.type === 'error').map((e) => e.type === 'error' && e.code)).toEqual(['unavailable', 'unavailable']);
    expect(alice.client.state).toEqual(registeredAs('alice'));
    expect(alice.client.say('made it')).toBe('sent');
    const first = await server.connection(0);
    await eventually(() => first.received.some((c) => c.type === 'say' && c.text === 'made it'), 'the line at the server');
  });

  it('rejects register() when the retried name is refused for a reason about the name, and forgets it', async () => {
    server = await DegradedServer.start((name, count, connection) => {
      if (count === 1) connection.send(REFUSED, BACK);
      else connection.send({ type: 'error', code: 'name_taken', message: `${name} is taken` });
    });
    const alice = recordClient(server.port, { ...NO_TIMER_IN_TIME, ...SILENT });
    await alice.client.connect();
    const error = await alice.client.register('alice').catch((err: ChatClientError) => err);
    expect(error).toBeInstanceOf(ChatClientError);
    expect(error).toMatchObject({ code: 'name_taken' });
    expect((await server.connection(0)).hellos()).toEqual(['alice', 'alice']);
    // The name was not ours: nothing is queued under it, and another name may be asked for.
    expect(alice.client.say('anyone?')).toBe('dropped');
    expect(alice.client.state).toEqual({ status: 'connected' });
  });

  it('asks for its name again after a reconnect that lands on a degraded server, once the chat is back', async () => {
    // Degraded from the second hello on, until it says the chat is back; the client's quick retries
    // in between are refused too, as a real degraded server would.
    let degraded = false;
    server = await DegradedServer.start((name, count, connection) => {
      if (count === 2) degraded = true;
      connection.send(degraded ? REFUSED : welcome(name));
    });
    const alice = recordClient(server.port, { ...QUICK, ...SILENT });
    await alice.client.connect();
    await alice.client.register('alice');
    (await server.connection(0)).socket.destroy();

    const second = await server.connection(1);
    await alice.waitFor((e) => e.type === 'error' && e.code === 'unavailable', 'the refusal on the new connection');
    // A line typed meanwhile (the terminal UI calls register() while merely connected) is not a new name.
    await expect(alice.client.register('what I typed')).rejects.toMatchObject({ code: 'register_pending' });
    const from = alice.events.length;
    degraded = false;
    second.send(BACK);
    await alice.waitFor(isRegistered('alice'), 'registered again as alice', from);
    expect(second.hellos().length).toBeGreaterThanOrEqual(2);
    expect(new Set(second.hellos())).toEqual(new Set(['alice']));
    expect(alice.client.say('back')).toBe('sent');
    await eventually(() => second.received.some((c) => c.type === 'say' && c.text === 'back'), 'the line at the server');
  });

  it('passes on an `unavailable` refusal of a command while registered, and does not ask for its name again', async () => {
    server = await DegradedServer.start((name, _count, connection) => connection.send(welcome(name)));
    const alice = recordClient(server.port, { ...QUICK, ...SILENT });
    await alice.client.connect();
    await alice.client.register('alice');
    const first = await server.connection(0);
    expect(alice.client.say('lost to the outage')).toBe('sent');
    await eventually(() => first.received.some((c) => c.type === 'say'), 'the line at the server');
    first.send(DEGRADED, REFUSED, BACK, { type: 'message', room: '#lobby', from: 'bob', text: 'after the refusals', ts: 1, id: 1 });

    await alice.waitFor((e) => e.type === 'message', 'the message after the refusal');
    expect(alice.events.filter((e) => e.type !== 'connection').map((e) => e.type)).toEqual(['welcome', 'status', 'error', 'status', 'message']);
    expect(alice.client.state).toEqual(registeredAs('alice'));
    // A hello wrongly queued by the refusal would have gone out on the `status` that says the chat is
    // back, before the message was read, so before this line: the client writes in order.
    expect(alice.client.say('marker')).toBe('sent');
    await eventually(() => first.received.some((c) => c.type === 'say' && c.text === 'marker'), 'the marker at the server');
    expect(first.hellos()).toEqual(['alice']);
  });

  it('stops waiting when it quits: register() rejects with `closed`', async () => {
    server = await DegradedServer.start((_name, _count, connection) => connection.send(REFUSED));
    const alice = recordClient(server.port, { ...NO_TIMER_IN_TIME, ...SILENT });
    await alice.client.connect();
    const registered = alice.client.register('alice').catch((err: ChatClientError) => err);
    await alice.waitFor((e) => e.type === 'error' && e.code === 'unavailable', 'the refusal');
    await alice.client.quit();
    expect(await registered).toMatchObject({ code: 'closed' });
    expect(alice.client.state).toEqual({ status: 'closed', reason: 'quit' });
    expect((await server.connection(0)).hellos()).toEqual(['alice']);
  });
});
