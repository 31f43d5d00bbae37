import { randomBytes } from 'crypto';
import { CliProcess } from '../support/cli-process';
import { eventually, LineClient } from '../support/line-client';
import { describeWithRedis, RedisServer } from '../support/redis-server';

/**
 * Several `chat serve` processes sharing one chat through a real Redis: the tests of issue 7. Each
 * test uses its own key prefix, so tests that share a Redis never see each other's chat.
 */

/**
 * Short timings so that a dead server, a snapshot and a reconnection all happen within a test. The node
 * timeout stays above the event-loop stalls of a loaded 2-core machine, which would look like a death.
 */
const FAST_CLUSTER = ['--node-timeout', '3', '--snapshot-interval', '1', '--redis-backoff-max-ms', '200'];
/** These tests send bursts on purpose: flood control is tested elsewhere. */
const NO_FLOOD_CONTROL = ['--rate', '10000', '--burst', '10000'];
/** Long enough for a dead server to be noticed (node timeout plus a sweep) on a slow, loaded machine. */
const CLUSTER_WAIT_MS = 30_000;

jest.setTimeout(90_000);

type Frame = Record<string, unknown>;

describeWithRedis('a cluster of chat servers over Redis', () => {
  let redis: RedisServer;
  let prefix: string;
  const nodes: CliProcess[] = [];
  const ports = new Map<number, CliProcess>();
  const clients: LineClient[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start({ persistent: true });
  });

  afterAll(async () => {
    await redis?.dispose();
  });

  beforeEach(() => {
    prefix = `test-${randomBytes(4).toString('hex')}`;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const node of nodes.splice(0)) node.kill();
    ports.clear();
  });

  /** Starts a chat server in this test's cluster; `serverAt` finds its process by port. */
  async function startNode(): Promise<number> {
    const node = await CliProcess.serve(['--redis', redis.url, '--redis-prefix', prefix, ...FAST_CLUSTER, ...NO_FLOOD_CONTROL]);
    nodes.push(node.process);
    ports.set(node.port, node.process);
    return node.port;
  }

  function serverAt(port: number): CliProcess {
    return ports.get(port)!;
  }

  async function user(port: number, name: string): Promise<LineClient> {
    const client = await LineClient.jsonUser(port, name);
    clients.push(client);
    return client;
  }

  async function open(port: number): Promise<LineClient> {
    const client = await LineClient.open(port);
    clients.push(client);
    return client;
  }

  const messages = (client: LineClient): Frame[] => client.frames.filter((frame) => frame.type === 'message' && !frame.history);
  const said = (client: LineClient): string[] => messages(client).map((frame) => `${String(frame.from)}: ${String(frame.text)}`);

  it('delivers every message to the room on every server, in one order that everyone sees alike', async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const alice = await user(a, 'alice');
    const bob = await user(b, 'bob');
    const carol = await user(a, 'carol');
    const dave = await user(b, 'dave');
    const everyone = [alice, bob, carol, dave];
    await alice.waitForJson((frame) => frame.type === 'joined' && frame.name === 'dave');

    const perSender = 40;
    for (let i = 0; i < perSender; i++) {
      alice.sendJson({ type: 'say', text: `a${i}` });
      bob.sendJson({ type: 'say', text: `b${i}` });
    }
    for (const client of everyone) await client.until(() => messages(client).length >= 2 * perSender, `${2 * perSender} messages`, CLUSTER_WAIT_MS);

    const order = said(alice);
    expect(order).toHaveLength(2 * perSender);
    for (const client of everyone) expect(said(client)).toEqual(order);
    // Each sender's messages keep the order they were sent in, and ids rise with the shared order.
    expect(order.filter((line) => line.startsWith('alice:'))).toEqual(Array.from({ length: perSender }, (_, i) => `alice: a${i}`));
    expect(order.filter((line) => line.startsWith('bob:'))).toEqual(Array.from({ length: perSender }, (_, i) => `bob: b${i}`));
    const ids = messages(carol).map((frame) => frame.id as number);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });

  it('carries joins, rooms, names, private messages, nick changes and leaves across servers', async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const alice = await user(a, 'alice');
    const bob = await user(b, 'bob');
    await alice.waitForJson((frame) => frame.type === 'joined' && frame.name === 'bob' && frame.room === '#lobby');

    bob.sendJson({ type: 'join', room: '#dev' });
    await bob.waitForJson((frame) => frame.type === 'entered' && frame.room === '#dev');
    alice.sendJson({ type: 'rooms' });
    const rooms = await alice.waitForJson((frame) => frame.type === 'rooms');
    expect(rooms.rooms).toEqual([
      { room: '#dev', users: 1 },
      { room: '#lobby', users: 2 },
    ]);
    alice.sendJson({ type: 'names', room: '#lobby' });
    expect((await alice.waitForJson((frame) => frame.type === 'names')).users).toEqual(['alice', 'bob']);

    alice.sendJson({ type: 'msg', to: 'BOB', text: 'psst' });
    const whisper = await bob.waitForJson((frame) => frame.type === 'private');
    expect(whisper).toMatchObject({ from: 'alice', to: 'bob', text: 'psst' });

    bob.sendJson({ type: 'nick', name: 'robert' });
    expect(await alice.waitForJson((frame) => frame.type === 'nick')).toMatchObject({ old: 'bob', name: 'robert' });

    bob.sendJson({ type: 'quit' });
    await bob.waitForJson((frame) => frame.type === 'bye' && frame.reason === 'quit');
    expect(await alice.waitForJson((frame) => frame.type === 'left')).toMatchObject({ name: 'robert', reason: 'quit' });
  });

  it('keeps names unique across servers: a taken name is refused, and of two claims at once exactly one wins', async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    await user(a, 'alice');
    const late = await open(b);
    late.sendJson({ type: 'hello', name: 'ALICE' });
    expect(await late.waitForJson((frame) => frame.type === 'error')).toMatchObject({ code: 'name_taken' });

    const onA = await open(a);
    const onB = await open(b);
    onA.sendJson({ type: 'hello', name: 'zed' });
    onB.sendJson({ type: 'hello', name: 'Zed' });
    const outcome = (client: LineClient) => client.frames.find((frame) => frame.type === 'welcome' || frame.type === 'error');
    await onA.until(() => outcome(onA) !== undefined, 'an answer to hello');
    await onB.until(() => outcome(onB) !== undefined, 'an answer to hello');
    const answers = [outcome(onA)!, outcome(onB)!];
    expect(answers.filter((frame) => frame.type === 'welcome')).toHaveLength(1);
    expect(answers.filter((frame) => frame.type === 'error' && frame.code === 'name_taken')).toHaveLength(1);

    // The loser tries again on the same connection.
    const loser = outcome(onA)!.type === 'error' ? onA : onB;
    loser.sendJson({ type: 'hello', name: 'zoe' });
    expect(await loser.waitForJson((frame) => frame.type === 'welcome')).toMatchObject({ name: 'zoe' });
  });

  it('frees the names of a server killed with kill -9 and tells the others its users left', async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const alice = await user(a, 'alice');
    await user(b, 'bob');
    await alice.waitForJson((frame) => frame.type === 'joined' && frame.name === 'bob');

    serverAt(b).child.kill('SIGKILL');
    await alice.until(() => alice.frames.some((frame) => frame.type === 'left' && frame.name === 'bob'), 'bob to leave', CLUSTER_WAIT_MS);
    expect(alice.frames.find((frame) => frame.type === 'left')).toMatchObject({ name: 'bob', reason: 'disconnect' });

    const newBob = await user(a, 'bob');
    expect(newBob.frames.find((frame) => frame.type === 'welcome')).toMatchObject({ name: 'bob', users: ['alice', 'bob'] });
  });

  it('keeps room history in Redis, so it survives restarting every server', async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const alice = await user(a, 'alice');
    const bob = await user(b, 'bob');
    for (const text of ['one', 'two', 'three']) alice.sendJson({ type: 'say', text });
    bob.sendJson({ type: 'join', room: '#dev' });
    await bob.waitForJson((frame) => frame.type === 'entered');
    bob.sendJson({ type: 'say', text: 'dev talk' });
    await bob.until(() => said(bob).includes('bob: dev talk') && said(bob).includes('alice: three'), 'every message');

    // One server stops in order, the other dies: every chat process is gone.
    serverAt(a).child.kill('SIGTERM');
    serverAt(b).child.kill('SIGKILL');
    await Promise.all([serverAt(a).exited, serverAt(b).exited]);

    const [c, d] = await Promise.all([startNode(), startNode()]);
    const carol = await user(c, 'carol');
    await carol.until(() => carol.frames.filter((frame) => frame.history).length >= 3, 'the lobby history');
    expect(carol.frames.filter((frame) => frame.history).map((frame) => frame.text)).toEqual(['one', 'two', 'three']);
    // History comes right after the welcome, before anything live.
    expect(carol.frames.findIndex((frame) => frame.type === 'welcome')).toBe(carol.frames.findIndex((frame) => frame.history) - 1);

    const dave = await user(d, 'dave');
    dave.sendJson({ type: 'join', room: '#DEV' });
    // Whether #dev still exists (bob's server died, and he stays until he is noticed) or is created anew
    // with dave's spelling, its history follows the room's key.
    const devHistory = () => dave.frames.filter((frame) => frame.history && String(frame.room).toLowerCase() === '#dev');
    await dave.until(() => devHistory().length > 0, 'the #dev history');
    expect(devHistory().map((frame) => frame.text)).toEqual(['dev talk']);
    // Alice's server stopped in order, so she left as it shut down, before the new servers started.
    expect(dave.frames.find((frame) => frame.type === 'welcome')?.users).not.toContain('alice');
  });

  it('takes a text-mode name and the lines typed right after it in order, even from a peer that hangs up at once', async () => {
    const [a, b] = await Promise.all([startNode(), startNode()]);
    const bob = await user(b, 'bob');
    // A paste, or `printf 'alice\nhi\n' | nc`: the lines reach the server before the name is answered,
    // which in a cluster takes a round trip through Redis.
    const alice = await open(a);
    alice.socket.write('alice\nhello there\n/join #dev\n');
    await alice.waitForLine((line) => line.includes('You are now in #dev'));
    expect(alice.lines.filter((line) => line.startsWith('*** Error'))).toEqual([]);
    const carol = await open(a);
    carol.socket.end('carol\nbye now\n');
    await bob.until(() => said(bob).includes('carol: bye now') && bob.frames.some((frame) => frame.type === 'left' && frame.name === 'carol'), 'carol to speak and leave');
    expect(said(bob)).toEqual(['alice: hello there', 'carol: bye now']);
  });

  it('makes every server follow the rules of the chat set by its first server', async () => {
    const first = await CliProcess.serve(['--redis', redis.url, '--redis-prefix', prefix, '--max-rooms-per-user', '2', ...FAST_CLUSTER]);
    nodes.push(first.process);
    const second = await CliProcess.serve(['--redis', redis.url, '--redis-prefix', prefix, '--max-rooms-per-user', '5', ...FAST_CLUSTER]);
    nodes.push(second.process);
    await eventually(() => /share --history 50 and --max-rooms-per-user 2/.test(second.process.stderr), 'the warning about the rules');
    const bob = await user(second.port, 'bob');
    bob.sendJson({ type: 'join', room: '#one' });
    await bob.waitForJson((frame) => frame.type === 'entered');
    bob.sendJson({ type: 'join', room: '#two' });
    expect(await bob.waitForJson((frame) => frame.type === 'error')).toMatchObject({ code: 'too_many_rooms' });
  });

  it('tells a new server the chat as it is, from the snapshot and the log', async () => {
    const a = await startNode();
    const alice = await user(a, 'alice');
    alice.sendJson({ type: 'join', room: '#dev' });
    await alice.waitForJson((frame) => frame.type === 'entered');
    // Past a snapshot (saved every second here), so the new server starts from it, not from the whole log.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    alice.sendJson({ type: 'join', room: '#ops' });
    await alice.waitForJson((frame) => frame.type === 'entered' && frame.room === '#ops');

    const b = await startNode();
    const bob = await user(b, 'bob');
    bob.sendJson({ type: 'rooms' });
    expect((await bob.waitForJson((frame) => frame.type === 'rooms')).rooms).toEqual([
      { room: '#dev', users: 1 },
      { room: '#lobby', users: 2 },
      { room: '#ops', users: 1 },
    ]);
    const refused = await open(b);
    refused.sendJson({ type: 'hello', name: 'alice' });
    expect(await refused.waitForJson((frame) => frame.type === 'error')).toMatchObject({ code: 'name_taken' });
  });
});

describeWithRedis('a cluster when Redis goes away', () => {
  const nodes: CliProcess[] = [];
  const clients: LineClient[] = [];
  const redisServers: RedisServer[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const node of nodes.splice(0)) node.kill();
    for (const server of redisServers.splice(0)) await server.dispose();
  });

  async function cluster(persistent: boolean): Promise<{ redis: RedisServer; ports: number[] }> {
    const redis = await RedisServer.start({ persistent });
    redisServers.push(redis);
    const started = await Promise.all([0, 1].map(() => CliProcess.serve(['--redis', redis.url, ...FAST_CLUSTER, ...NO_FLOOD_CONTROL])));
    nodes.push(...started.map((node) => node.process));
    return { redis, ports: started.map((node) => node.port) };
  }

  async function user(port: number, name: string): Promise<LineClient> {
    const client = await LineClient.jsonUser(port, name);
    clients.push(client);
    return client;
  }

  const texts = (client: LineClient) => client.frames.filter((frame) => frame.type === 'message').map((frame) => frame.text);

  it('says the chat is degraded, refuses what it cannot deliver, and resumes without duplicates when Redis is back', async () => {
    const { redis, ports } = await cluster(true);
    const alice = await user(ports[0], 'alice');
    const bob = await user(ports[1], 'bob');
    const carol = await user(ports[0], 'carol');
    alice.sendJson({ type: 'say', text: 'before' });
    await bob.until(() => texts(bob).includes('before'), 'the first message');

    await redis.stop();
    for (const client of [alice, bob]) {
      await client.until(() => client.frames.some((frame) => frame.type === 'status' && frame.degraded === true), 'the degraded notice', CLUSTER_WAIT_MS);
    }
    alice.sendJson({ type: 'say', text: 'during' });
    expect(await alice.waitForJson((frame) => frame.type === 'error')).toMatchObject({ code: 'unavailable' });
    // Somebody arriving now is told first, and cannot take a name yet.
    const newcomer = await LineClient.open(ports[1]);
    clients.push(newcomer);
    // Before its first frame the server does not know its mode: it is told in a text line, as greeted.
    await newcomer.waitForLine((line) => line.startsWith('*** The chat is degraded'));
    newcomer.sendJson({ type: 'hello', name: 'erin' });
    expect(await newcomer.waitForJson((frame) => frame.type === 'error')).toMatchObject({ code: 'unavailable' });
    // Leaving always works: the goodbye is said here, and the others hear of it once Redis is back.
    carol.sendJson({ type: 'quit' });
    expect(await carol.waitForJson((frame) => frame.type === 'bye')).toMatchObject({ reason: 'quit', message: 'Goodbye, carol!' });
    await carol.waitForClose();
    await redis.restart();
    for (const client of [alice, bob]) {
      await client.until(() => client.frames.some((frame) => frame.type === 'status' && frame.degraded === false), 'the restored notice', CLUSTER_WAIT_MS);
    }
    alice.sendJson({ type: 'say', text: 'after' });
    bob.sendJson({ type: 'say', text: 'reply' });
    for (const client of [alice, bob]) await client.until(() => texts(client).includes('after') && texts(client).includes('reply'), 'messages after the outage');
    await bob.until(() => bob.frames.some((frame) => frame.type === 'left' && frame.name === 'carol'), 'carol to leave');
    expect(bob.frames.find((frame) => frame.type === 'left' && frame.name === 'carol')).toMatchObject({ reason: 'quit' });
    // Give a duplicate every chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const client of [alice, bob]) {
      expect(texts(client).sort()).toEqual(['after', 'before', 'reply']);
      expect(client.closed).toBe(false);
    }
  });

  it('asks everyone to reconnect when Redis comes back without its data, and works again after', async () => {
    const { redis, ports } = await cluster(false);
    const alice = await user(ports[0], 'alice');
    const bob = await user(ports[1], 'bob');

    await redis.stop();
    await alice.until(() => alice.frames.some((frame) => frame.type === 'status' && frame.degraded === true), 'the degraded notice', CLUSTER_WAIT_MS);
    await redis.restart();
    // Each server finds the data gone once it reaches Redis again, and closes its connections.
    for (const client of [alice, bob]) {
      await client.until(() => client.frames.some((frame) => frame.type === 'bye'), 'a goodbye', CLUSTER_WAIT_MS);
      expect(client.frames.find((frame) => frame.type === 'bye')).toMatchObject({ reason: 'unavailable' });
      await client.waitForClose();
    }

    // The same names are free in the new, empty chat, on either server.
    const again = await user(ports[1], 'alice');
    const bobAgain = await user(ports[0], 'bob');
    bobAgain.sendJson({ type: 'say', text: 'fresh start' });
    await again.until(() => texts(again).includes('fresh start'), 'a message in the new chat', CLUSTER_WAIT_MS);
  });
});

describe('chat serve --redis, when Redis cannot be used', () => {
  it('exits 1 with a clear message when nothing answers at the address', async () => {
    const serve = CliProcess.run(['serve', '--port', '0', '--redis', 'redis://127.0.0.1:1', '--redis-timeout-ms', '1000']);
    expect(await serve.exited).toBe(1);
    expect(serve.stderr).toMatch(/chat serve: cannot use Redis at redis:\/\/127\.0\.0\.1:1\/?: connect ECONNREFUSED/);
  });

  it('refuses an address that is not a redis:// URL', async () => {
    const serve = CliProcess.run(['serve', '--port', '0', '--redis', 'http://example']);
    expect(await serve.exited).not.toBe(0);
    expect(serve.stderr).toMatch(/--redis must start with redis:\/\/ or rediss:\/\//);
  });
});
