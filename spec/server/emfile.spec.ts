// The module object itself, not an import-star copy: jest.spyOn must replace net.createServer where the server reads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import net = require('net');
import { RESERVED_FILE_DESCRIPTORS } from '../../src/cli/fd-limit';
import { CliProcess } from '../support/cli-process';
import { serveWithFdLimit } from '../support/limited-serve';
import { eventually, LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Low enough that a few dozen connections exhaust it (node with tsx holds about 30 descriptors
 * before the first client), high enough for the server to start.
 */
const FD_LIMIT = 64;
/** More connections than the server can hold at FD_LIMIT. */
const CONNECTIONS = 100;
const SLOW_WAIT_MS = 30_000;

/** Waits until `client` has been greeted or closed; true if greeted. */
async function greetedOrClosed(client: LineClient): Promise<boolean> {
  await client.until(() => client.closed || client.lines.length > 0, 'a greeting or a close', SLOW_WAIT_MS);
  return client.lines.some((line) => line.includes('Type your name'));
}

/** Opens `count` connections at once and sorts them into greeted ones and ones turned away. */
async function storm(port: number, count: number, into: LineClient[]): Promise<{ greeted: LineClient[]; dropped: LineClient[] }> {
  const opened = await Promise.all(Array.from({ length: count }, () => LineClient.open(port)));
  into.push(...opened);
  const greeted = await Promise.all(opened.map(greetedOrClosed));
  return { greeted: opened.filter((_, i) => greeted[i]), dropped: opened.filter((_, i) => !greeted[i]) };
}

/** Connects again and again (turned-away connections are closed at once) until one is greeted. */
async function firstGreeted(port: number, into: LineClient[]): Promise<LineClient> {
  const deadline = Date.now() + SLOW_WAIT_MS;
  for (;;) {
    const client = await LineClient.open(port);
    into.push(client);
    if (await greetedOrClosed(client)) return client;
    if (Date.now() > deadline) throw new Error('no new connection was greeted after the others closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function register(client: LineClient, name: string): Promise<void> {
  client.send(name);
  await client.waitForLine((line) => line.includes(`Welcome, ${name}!`));
}

describe('running out of file descriptors (EMFILE)', () => {
  const processes: CliProcess[] = [];
  const clients: LineClient[] = [];
  let t: TestServer | undefined;
  afterEach(async () => {
    jest.restoreAllMocks();
    for (const client of clients.splice(0)) client.close();
    for (const process of processes.splice(0)) process.kill();
    await t?.stop();
    t = undefined;
  });

  it('chat serve under a low descriptor limit caps connections below it, tells the excess why, keeps the others chatting, and lets new clients in once descriptors are free', async () => {
    const startedAt = Date.now();
    const { process: serve, port } = await serveWithFdLimit(FD_LIMIT);
    processes.push(serve);
    // The default --max-connections is far above the limit: the server lowers its cap and says so.
    expect(serve.stderr).toContain('is more than the open-file limit (64) allows');

    const first = await storm(port, CONNECTIONS, clients);
    // Some got in, up to the lowered cap; the rest were told the server is full (or, should the
    // descriptors run out first, libuv accepted and closed them at once) and closed.
    expect(first.greeted.length).toBeGreaterThanOrEqual(2);
    expect(first.greeted.length).toBeLessThanOrEqual(FD_LIMIT - RESERVED_FILE_DESCRIPTORS);
    expect(first.dropped.length).toBeGreaterThan(0);
    expect(first.dropped.some((client) => client.lines.some((line) => line.includes('the server is full')))).toBe(true);
    await Promise.all(first.dropped.map((client) => client.waitForClose()));

    // At the limit, the connections it holds work normally...
    const [alice, bob] = first.greeted;
    await register(alice, 'alice');
    await register(bob, 'bob');
    alice.send('at the limit');
    await bob.waitForLine((line) => line === 'alice: at the limit');

    // ...and a second storm is turned away the same way, without harm.
    const second = await storm(port, 20, clients);
    expect(second.dropped.length).toBeGreaterThan(0);
    expect(serve.exitCode).toBeNull();

    // Once the connections close, descriptors are free and new clients get in again.
    for (const client of clients) client.close();
    const carol = await firstGreeted(port, clients);
    const dave = await LineClient.textUser(port, 'dave');
    clients.push(dave);
    await register(carol, 'carol');
    carol.send('back to normal');
    await dave.waitForLine((line) => line === 'carol: back to normal');

    // Nothing crashed, and the server still shuts down cleanly.
    expect(serve.exitCode).toBeNull();
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.stderr).not.toMatch(/Uncaught|^\s+at /m);
    // On Linux libuv handles EMFILE itself (it accepts and closes the excess connections), so Node
    // reports no error; where an accept error does reach the server, it is logged at most once a second.
    const acceptErrorLines = serve.stderr.split('\n').filter((line) => line.includes('server error: '));
    expect(acceptErrorLines.length).toBeLessThanOrEqual((Date.now() - startedAt) / 1000 + 1);
  }, 90_000);

  it('logs a storm of accept errors at most once a second, with how many there were, and keeps serving', async () => {
    let tcpServer: net.Server | undefined;
    const createServer = net.createServer;
    jest.spyOn(net, 'createServer').mockImplementation(((...args: Parameters<typeof net.createServer>) => {
      tcpServer = createServer(...args);
      return tcpServer;
    }) as typeof net.createServer);
    t = await startTestServer();
    expect(tcpServer).toBeDefined();
    const emfile = () => Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', errno: -24, syscall: 'accept' });
    const acceptErrorLines = () => t!.logs.filter((line) => line.includes('server error: '));

    for (let i = 0; i < 500; i++) tcpServer!.emit('error', emfile());
    expect(acceptErrorLines()).toHaveLength(1);
    expect(acceptErrorLines()[0]).toMatch(/ error +server error: EMFILE\n$/);

    // This waits for a minimum, not a maximum: the throttle only lets the next line out after a second.
    // The 499 errors kept quiet are counted in one line a second later, even though the storm stopped.
    await eventually(() => acceptErrorLines().length === 2, 'the line counting the rest of the storm');
    expect(acceptErrorLines()[1]).toMatch(/server error: EMFILE \(499 more in the last second\)\n$/);

    const alice = await t.text('alice');
    alice.send('still serving');
    await alice.waitForLine((line) => line === 'alice: still serving');
  });
});
