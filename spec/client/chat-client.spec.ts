import { ChatClientError, ClientEvent, ConnectionState, createChatClient } from '../../src/client/chat-client';
import { ChatServer, createChatServer } from '../../src/server/server';
import { startTestServer, TestServer } from '../support/test-server';
import { joinedClient, quitAll, recordClient } from './client-helpers';
import { FakeServer } from './fake-server';

const stateIs =
  (status: ConnectionState['status']) =>
  (event: ClientEvent): boolean =>
    event.type === 'connection' && event.state.status === status;

/** Fast reconnection so tests of lost connections take milliseconds, not seconds. */
const QUICK = { reconnectDelayMs: 20, maxReconnectDelayMs: 100 };

/** The fake server never says goodbye; quitting need not wait long for it. */
const SILENT = { goodbyeWaitMs: 50 };

describe('createChatClient against a real server', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await quitAll();
    await server.stop();
  });

  it('connects, registers and is welcomed with the users online', async () => {
    const alice = recordClient(server.port);
    expect(alice.client.state).toEqual({ status: 'idle' });
    await alice.client.connect();
    expect(alice.client.state).toEqual({ status: 'connected' });
    const welcome = await alice.client.register('alice');
    expect(welcome).toEqual({ type: 'welcome', name: 'alice', room: '#lobby', users: ['alice'], count: 1 });
    expect(alice.client.room).toBe('#lobby');
    expect(alice.client.name).toBe('alice');
    expect(alice.client.state).toEqual({ status: 'registered', name: 'alice' });
    expect(alice.client.users).toEqual(['alice']);
    // The greeting line is not JSON and never shows up as an event.
    expect(alice.events.map((event) => event.type)).toEqual(['connection', 'connection', 'welcome', 'connection']);
  });

  it('sends and receives messages; its own come back from the server', async () => {
    const alice = await joinedClient(server.port, 'alice');
    const bob = await joinedClient(server.port, 'bob');
    expect(alice.client.say('hi bob')).toBe('sent');
    expect(bob.client.say('hello alice')).toBe('sent');
    await bob.waitFor((e) => e.type === 'message' && e.text === 'hello alice', 'bob sees his own message');
    await alice.waitFor((e) => e.type === 'message' && e.text === 'hello alice', 'alice sees bob');
    expect(alice.messages()).toEqual(['alice: hi bob', 'bob: hello alice']);
    expect(bob.messages()).toEqual(['alice: hi bob', 'bob: hello alice']);
  });

  it('follows who is online through joins and leaves', async () => {
    const alice = await joinedClient(server.port, 'alice');
    const seen: Array<readonly string[]> = [];
    alice.client.users$.subscribe((users) => seen.push(users));
    const carol = await joinedClient(server.port, 'Carol');
    await alice.waitFor((e) => e.type === 'joined' && e.name === 'Carol', 'the join');
    const bob = await joinedClient(server.port, 'bob');
    await alice.waitFor((e) => e.type === 'joined' && e.name === 'bob', 'the join');
    expect(alice.client.users).toEqual(['alice', 'bob', 'Carol']);
    await carol.client.quit();
    await alice.waitFor((e) => e.type === 'left' && e.name === 'Carol', 'the leave');
    expect(alice.client.users).toEqual(['alice', 'bob']);
    expect(seen).toEqual([['alice'], ['alice', 'Carol'], ['alice', 'bob', 'Carol'], ['alice', 'bob']]);
    expect(bob.client.users).toEqual(['alice', 'bob']);
  });

  it('joins and leaves rooms, following the current room and who is in it', async () => {
    const alice = await joinedClient(server.port, 'alice');
    const bob = await joinedClient(server.port, 'bob');
    expect(alice.client.send({ type: 'join', room: '#dev' })).toBe('sent');
    await alice.waitFor((e) => e.type === 'entered' && e.room === '#dev', 'entering #dev');
    expect(alice.client.room).toBe('#dev');
    expect(alice.client.users).toEqual(['alice']);
    bob.client.send({ type: 'join', room: 'DEV' });
    await alice.waitFor((e) => e.type === 'joined' && e.name === 'bob' && e.room === '#dev', 'bob joining #dev');
    expect(alice.client.users).toEqual(['alice', 'bob']);
    expect([...alice.client.rooms.rooms.values()].map((room) => [room.room, room.count])).toEqual([
      ['#lobby', 2],
      ['#dev', 2],
    ]);
    // Without a room, say goes to the current one; with one, there.
    alice.client.say('in dev');
    alice.client.say('in the lobby', '#lobby');
    await bob.waitFor((e) => e.type === 'message' && e.text === 'in the lobby', 'the lobby message');
    expect(bob.events.filter((e) => e.type === 'message').map((e) => e.type === 'message' && [e.room, e.text])).toEqual([
      ['#dev', 'in dev'],
      ['#lobby', 'in the lobby'],
    ]);
    alice.client.send({ type: 'part' });
    await alice.waitFor((e) => e.type === 'parted', 'parting');
    expect(alice.client.room).toBe('#lobby');
    await bob.waitFor((e) => e.type === 'left' && e.reason === 'part', 'alice leaving #dev');
    expect(bob.client.rooms.rooms.get('#dev')).toEqual({ room: '#dev', users: ['bob'], count: 1 });
  });

  it('sends actions, private messages and the other commands', async () => {
    const alice = await joinedClient(server.port, 'alice');
    const bob = await joinedClient(server.port, 'bob');
    alice.client.send({ type: 'me', text: 'waves' });
    alice.client.send({ type: 'msg', to: 'bob', text: 'psst' });
    alice.client.send({ type: 'rooms' });
    alice.client.send({ type: 'names' });
    alice.client.send({ type: 'help' });
    await bob.waitFor((e) => e.type === 'private', 'the private message');
    expect(bob.events).toContainEqual(expect.objectContaining({ type: 'message', from: 'alice', text: 'waves', action: true }));
    expect(bob.events).toContainEqual(expect.objectContaining({ type: 'private', from: 'alice', to: 'bob', text: 'psst' }));
    await alice.waitFor((e) => e.type === 'help', 'the help');
    expect(alice.events).toContainEqual({ type: 'rooms', rooms: [{ room: '#lobby', users: 2 }] });
    expect(alice.events).toContainEqual({ type: 'names', room: '#lobby', users: ['alice', 'bob'] });
  });

  it('follows its own change of name', async () => {
    const alice = await joinedClient(server.port, 'alice');
    alice.client.send({ type: 'nick', name: 'alicia' });
    await alice.waitFor((e) => e.type === 'connection' && e.state.status === 'registered' && e.state.name === 'alicia', 'the new name');
    expect(alice.client.name).toBe('alicia');
    expect(alice.client.users).toEqual(['alicia']);
  });

  it('rejects a taken name with the server error, and lets the user try another', async () => {
    await joinedClient(server.port, 'alice');
    const other = recordClient(server.port);
    await other.client.connect();
    const refused = await other.client.register('ALICE').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ChatClientError);
    expect(refused).toMatchObject({ code: 'name_taken' });
    expect(other.events).toContainEqual(expect.objectContaining({ type: 'error', code: 'name_taken' }));
    expect(other.client.name).toBeUndefined();
    expect(other.client.state.status).toBe('connected');
    await expect(other.client.register('alice2')).resolves.toMatchObject({ name: 'alice2' });
  });

  it('rejects an invalid name', async () => {
    const client = recordClient(server.port);
    await client.client.connect();
    await expect(client.client.register('no spaces please')).rejects.toMatchObject({ code: 'name_invalid' });
  });

  it('refuses a second registration and a second name request in flight', async () => {
    const client = recordClient(server.port);
    await client.client.connect();
    const first = client.client.register('alice');
    await expect(client.client.register('bob')).rejects.toMatchObject({ code: 'register_pending' });
    await first;
    await expect(client.client.register('bob')).rejects.toMatchObject({ code: 'already_registered' });
  });

  it('does not send blank messages or messages before a name is asked for', async () => {
    const client = recordClient(server.port);
    await client.client.connect();
    expect(client.client.say('nobody to say it as')).toBe('dropped');
    await client.client.register('alice');
    expect(client.client.say('   ')).toBe('dropped');
  });

  it('quits: goodbye from the server, closed state, streams complete, the others see the leave', async () => {
    const alice = await joinedClient(server.port, 'alice');
    const bob = await joinedClient(server.port, 'bob');
    let completed = false;
    alice.client.events$.subscribe({ complete: () => (completed = true) });
    const quitting = alice.client.quit();
    expect(alice.client.quit()).toBe(quitting);
    await quitting;
    expect(alice.events).toContainEqual(expect.objectContaining({ type: 'bye', reason: 'quit' }));
    expect(alice.client.state).toEqual({ status: 'closed', reason: 'quit' });
    expect(completed).toBe(true);
    expect(alice.client.say('too late')).toBe('dropped');
    await expect(alice.client.register('again')).rejects.toMatchObject({ code: 'closed' });
    await bob.waitFor((e) => e.type === 'left' && e.name === 'alice' && e.reason === 'quit', 'alice leaving');
  });

  it('paces a burst of messages under the flood limit, so none is refused', async () => {
    const alice = await joinedClient(server.port, 'alice');
    const bob = await joinedClient(server.port, 'bob');
    const texts = Array.from({ length: 16 }, (_, i) => `line ${i}`);
    const results = texts.map((text) => alice.client.say(text));
    expect(results).toContain('queued');
    await bob.waitFor((e) => e.type === 'message' && e.text === 'line 15', 'the last line');
    expect(bob.messages()).toEqual(texts.map((text) => `alice: ${text}`));
    expect(alice.events.filter((e) => e.type === 'error')).toEqual([]);
  });
});

describe('createChatClient when the connection is lost', () => {
  const servers: ChatServer[] = [];
  afterEach(async () => {
    await quitAll();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function listen(port = 0): Promise<number> {
    const server = createChatServer({ host: '127.0.0.1', port });
    servers.push(server);
    return (await server.listen()).port;
  }

  it('reconnects after a server restart on the same port, registers the same name, goes back into its rooms, and sends what was said meanwhile', async () => {
    const port = await listen();
    const alice = await joinedClient(port, 'alice', QUICK);
    alice.client.send({ type: 'join', room: '#dev' });
    alice.client.send({ type: 'join', room: '#ops' });
    alice.client.send({ type: 'join', room: '#dev' });
    await alice.waitFor((e) => e.type === 'entered' && e.room === '#dev' && alice.events.filter((x) => x.type === 'entered').length === 3, 'back in #dev');
    await servers.pop()!.close();
    const lost = await alice.waitFor(stateIs('reconnecting'), 'the loss');
    expect(lost).toMatchObject({ state: { reason: expect.stringContaining('shutting down') } });
    expect(alice.events).toContainEqual(expect.objectContaining({ type: 'bye', reason: 'shutdown' }));
    expect(alice.client.name).toBeUndefined();
    expect(alice.client.users).toEqual([]);
    expect(alice.client.say('said while away')).toBe('queued');

    // Retries against the closed port fail and keep going until the server is back.
    await alice.waitFor((e) => e.type === 'connection' && e.state.status === 'reconnecting' && e.state.attempt >= 3, 'a few retries');
    await listen(port);
    const mark = alice.events.length;
    await alice.waitFor(stateIs('registered'), 'registered again', mark);
    expect(alice.client.name).toBe('alice');
    await alice.waitFor((e) => e.type === 'message' && e.text === 'said while away', 'the queued message');
    // Said while away in #dev, it went to #dev: the rooms came back first, in order, #dev current.
    expect(alice.events.find((e) => e.type === 'message' && e.text === 'said while away')).toMatchObject({ room: '#dev' });
    expect([...alice.client.rooms.rooms.values()].map((room) => room.room)).toEqual(['#lobby', '#dev', '#ops']);
    expect(alice.client.room).toBe('#dev');
    const bob = await joinedClient(port, 'bob');
    expect(bob.client.users).toEqual(['alice', 'bob']);
    bob.client.send({ type: 'join', room: '#dev' });
    await bob.waitFor((e) => e.type === 'entered', 'bob in #dev');
    alice.client.say('back again');
    await bob.waitFor((e) => e.type === 'message' && e.text === 'back again', 'a message after the restart');
  });

  it('fails the first connect clearly and closes when nothing listens', async () => {
    const port = await listen();
    await servers.pop()!.close();
    const client = createChatClient({ host: '127.0.0.1', port });
    const failure = await client.connect().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ChatClientError);
    expect(failure).toMatchObject({ code: 'connect_failed', message: expect.stringMatching(/connection refused/) });
    expect(client.state).toMatchObject({ status: 'closed' });
    await expect(client.connect()).rejects.toMatchObject({ code: 'closed' });
  });

  it('quit() during reconnection stops for good', async () => {
    const port = await listen();
    const alice = await joinedClient(port, 'alice', QUICK);
    await servers.pop()!.close();
    await alice.waitFor(stateIs('reconnecting'), 'the loss');
    await alice.client.quit();
    expect(alice.client.state).toEqual({ status: 'closed', reason: 'quit' });
    await listen(port);
    const bob = await joinedClient(port, 'bob');
    expect(bob.client.users).toEqual(['bob']);
  });
});

describe('createChatClient against a misbehaving server', () => {
  let fake: FakeServer;
  beforeEach(async () => {
    fake = await FakeServer.start();
  });
  afterEach(async () => {
    await quitAll();
    await fake.stop();
  });

  it('ignores lines that are not JSON objects or not events it knows, and keeps going', async () => {
    const client = recordClient(fake.port, SILENT);
    await client.client.connect();
    await fake.send([
      '*** Welcome to chat!',
      'not json {',
      '[1,2,3]',
      'null',
      '"a string"',
      '{"type":"what-is-this","x":1}',
      '{"type":"message","room":"#l","from":1,"text":"wrong field type","ts":1,"id":1}',
      '{"type":"message","room":"#l","from":"x","text":"no ts"}',
      '{"type":"welcome","name":"x","room":"#l","users":[1],"count":1}',
      '{"type":"left","name":"x","reason":"made-up","ts":1}',
      '{"type":"error","code":"invented","message":"m"}',
      '{"__proto__":{"type":"message"},"room":"#l","from":"x","text":"t","ts":1,"id":1}',
      '{"type":"message","room":"#l","from":"eve","text":"the real one","ts":5,"id":9,"extra":true}',
    ]);
    await client.waitFor((e) => e.type === 'message', 'the valid message');
    expect(client.events.filter((e) => e.type !== 'connection')).toEqual([
      { type: 'message', room: '#l', from: 'eve', text: 'the real one', ts: 5, id: 9 },
    ]);
  });

  it('drops an oversized line and reads the next one', async () => {
    const client = recordClient(fake.port, SILENT);
    await client.client.connect();
    const huge = `{"type":"message","room":"#l","from":"x","text":"${'a'.repeat(2 * 1024 * 1024)}","ts":1,"id":1}`;
    await fake.send([huge, '{"type":"message","room":"#l","from":"x","text":"small","ts":1,"id":2}']);
    await client.waitFor((e) => e.type === 'message', 'the small message');
    expect(client.messages()).toEqual(['x: small']);
  });

  it('answers the server’s ping with a pong, and keeps the heartbeat out of its events', async () => {
    const client = recordClient(fake.port, SILENT);
    await client.client.connect();
    await fake.send(['{"type":"ping"}']);
    await fake.waitForReceived((line) => line === '{"type":"pong"}');
    expect(client.events.every((e) => e.type === 'connection')).toBe(true);
  });

  it('pings a silent server, and treats the connection as lost when nothing answers', async () => {
    const client = recordClient(fake.port, { heartbeatIdleMs: 150, ...QUICK, ...SILENT });
    await client.client.connect();
    await fake.waitForReceived((line) => line === '{"type":"ping"}');
    const lost = await client.waitFor(stateIs('reconnecting'), 'the loss');
    expect(lost).toMatchObject({ state: { reason: 'the server stopped answering' } });
    await fake.connection(1);
  });

  it('takes an older server’s complaint about the unknown ping as its answer, without showing it', async () => {
    const client = recordClient(fake.port, { heartbeatIdleMs: 150, ...QUICK, ...SILENT });
    await client.client.connect();
    await fake.waitForReceived((line) => line === '{"type":"ping"}');
    await fake.send(['{"type":"error","code":"unknown_type","message":"unknown frame type \\"ping\\""}']);
    await fake.send(['{"type":"message","room":"#l","from":"x","text":"still here","ts":1,"id":1}']);
    await client.waitFor((e) => e.type === 'message', 'the message');
    expect(client.events.filter((e) => e.type === 'error')).toEqual([]);
    expect(client.client.state.status).toBe('connected');
  });

  it('shows the server’s goodbye as the reason for a lost connection, and reconnects', async () => {
    const client = recordClient(fake.port, { ...QUICK, ...SILENT });
    await client.client.connect();
    const first = await fake.connection(0);
    first.end('{"type":"bye","reason":"flood","message":"You were disconnected for flooding. Goodbye!"}\n');
    const lost = await client.waitFor(stateIs('reconnecting'), 'the loss');
    expect(lost).toMatchObject({ state: { reason: 'You were disconnected for flooding. Goodbye!' } });
    await fake.connection(1);
  });

  it('asks for its name again on the new connection after a loss', async () => {
    const client = recordClient(fake.port, { ...QUICK, ...SILENT });
    await client.client.connect();
    const registered = client.client.register('alice');
    await fake.waitForReceived((line) => line === '{"type":"hello","name":"alice"}', 0);
    await fake.send(['{"type":"welcome","name":"alice","room":"#lobby","users":["alice"],"count":1}'], 0);
    await registered;
    (await fake.connection(0)).destroy();
    await fake.waitForReceived((line) => line === '{"type":"hello","name":"alice"}', 1);
  });

  it('quits without waiting for ever when the server never says goodbye', async () => {
    const client = recordClient(fake.port, { goodbyeWaitMs: 100 });
    await client.client.connect();
    await client.client.quit();
    expect(await fake.waitForReceived((line) => line === '{"type":"quit"}')).toBeDefined();
    expect(client.client.state).toEqual({ status: 'closed', reason: 'quit' });
  });
});

describe('createChatClient with options no connection can be made with', () => {
  it.each([0, -1, 65536, 1.5, Number.NaN])('fails connect() for good with port %p, saying why', async (port) => {
    const client = createChatClient({ port });
    const reason = `cannot connect to 127.0.0.1:${port}: the port must be a whole number from 1 to 65535 (got ${port})`;
    await expect(client.connect()).rejects.toMatchObject({ code: 'connect_failed', message: reason });
    expect(client.state).toEqual({ status: 'closed', reason });
  });
});
