import { eventually } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

describe('text mode over TCP (netcat users)', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ closeGraceMs: 500 });
  });
  afterEach(() => t.stop());

  it('greets, asks for a name, welcomes by name and tells the others', async () => {
    const alice = await t.text('alice');
    const bob = await t.open();
    await bob.waitForLine((line) => line.includes('Type your name'));
    bob.send('bob');
    const welcome = await bob.waitForLine((line) => line.includes('Welcome, '));
    expect(welcome).toContain('Welcome, bob!');
    expect(welcome).toContain('You are in #lobby: 2 users: alice, bob');
    expect(await alice.waitForLine((line) => line.includes('joined'))).toBe('*** bob joined #lobby');
  });

  it('refuses a taken name (case-insensitively) and lets the user retry on the same connection', async () => {
    await t.text('Alice');
    const second = await t.open();
    second.send('alice');
    expect(await second.waitForLine((line) => line.includes('Error'))).toBe('*** Error: name "alice" is taken; try another');
    second.send('not a name');
    expect(await second.waitForLine((line) => line.includes('invalid'))).toContain('letters, digits');
    second.send('alice2');
    await second.waitForLine((line) => line.includes('Welcome, alice2!'));
    expect(second.closed).toBe(false);
  });

  it('broadcasts each line as exactly "name: text" to everyone, the sender included, and ignores blank lines', async () => {
    const alice = await t.text('alice');
    const bob = await t.text('bob');
    const from = { alice: alice.lines.length, bob: bob.lines.length };
    alice.send('   ');
    alice.send('');
    alice.send('hello there');
    await bob.waitForLine((line) => line === 'alice: hello there', from.bob);
    bob.send('hi alice');
    for (const [client, start] of [[alice, from.alice], [bob, from.bob]] as const) {
      await client.waitForLine((line) => line === 'bob: hi alice', start);
      const chat = client.lines.slice(start).filter((line) => !line.startsWith('***'));
      expect(chat).toEqual(['alice: hello there', 'bob: hi alice']);
    }
  });

  it('delivers concurrent messages to everyone in one and the same order', async () => {
    const users = await Promise.all(['u1', 'u2', 'u3'].map((name) => t.text(name)));
    const starts = users.map((user) => user.lines.length);
    for (let i = 0; i < 30; i++) users.forEach((user, n) => user.send(`m${i} from u${n + 1}`));
    const chatSeen = await Promise.all(
      users.map(async (user, n) => {
        await user.until(() => user.lines.slice(starts[n]).filter((l) => l.includes(': m')).length === 90, '90 messages');
        return user.lines.slice(starts[n]).filter((l) => l.includes(': m'));
      }),
    );
    expect(chatSeen[1]).toEqual(chatSeen[0]);
    expect(chatSeen[2]).toEqual(chatSeen[0]);
    // Each sender's own messages keep the order they were sent in.
    const fromU2 = chatSeen[0].filter((line) => line.startsWith('u2: '));
    expect(fromU2).toEqual(Array.from({ length: 30 }, (_, i) => `u2: m${i} from u2`));
  });

  it.each(['{quit}', '/quit'])('%s says goodbye, closes the connection and tells the others', async (command) => {
    const alice = await t.text('alice');
    const bob = await t.text('bob');
    bob.send(command);
    expect(await bob.waitForLine((line) => line.includes('Goodbye'))).toBe('*** Goodbye, bob!');
    await bob.waitForClose();
    expect(await alice.waitForLine((line) => line.includes('left'))).toBe('*** bob left the chat');
  });

  it('announces an abrupt disconnect (reset) as a leave, and the name is free again', async () => {
    const alice = await t.text('alice');
    const bob = await t.text('bob');
    bob.socket.resetAndDestroy();
    expect(await alice.waitForLine((line) => line.includes('left'))).toBe('*** bob left the chat (connection lost)');
    await t.text('bob');
  });

  it('announces a half-close (EOF) as a leave, after relaying a last line sent without a newline', async () => {
    const alice = await t.text('alice');
    const bob = await t.text('bob');
    bob.socket.end('last words');
    await alice.waitForLine((line) => line === 'bob: last words');
    await alice.waitForLine((line) => line.includes('bob left the chat'));
  });

  it('never relays control or bidi characters', async () => {
    const alice = await t.text('alice');
    const bob = await t.text('bob');
    bob.socket.write('\x1b[2J\x1b]0;pwned\x07red\u202etxt\u0085\x7f\tend\r\n');
    const line = await alice.waitForLine((l) => l.startsWith('bob: '));
    expect(line).toBe('bob: [2J]0;pwnedredtxt end');
    expect(line).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });

  it('answers an oversized line with an error, discards it, and keeps the connection usable', async () => {
    await t.stop();
    t = await startTestServer({ maxFrameBytes: 64 });
    const alice = await t.text('alice');
    alice.send('x'.repeat(10_000));
    expect(await alice.waitForLine((line) => line.includes('too long'))).toBe(
      '*** Error: line too long: the limit is 64 bytes; it was discarded',
    );
    alice.send('still here');
    await alice.waitForLine((line) => line === 'alice: still here');
  });

  it('refuses an over-long message with a clear error and does not send it', async () => {
    await t.stop();
    t = await startTestServer({ maxMessageLength: 10 });
    const alice = await t.text('alice');
    const bob = await t.text('bob');
    const start = bob.lines.length;
    alice.send('0123456789ABC');
    expect(await alice.waitForLine((line) => line.includes('too long'))).toContain('the limit is 10 characters');
    alice.send('short');
    await bob.waitForLine((line) => line === 'alice: short', start);
    expect(bob.lines.slice(start).some((line) => line.includes('0123456789'))).toBe(false);
  });

  it('says invalid UTF-8 was discarded', async () => {
    const alice = await t.text('alice');
    alice.socket.write(Buffer.from([0x68, 0xc3, 0x28, 0x0a]));
    expect(await alice.waitForLine((line) => line.includes('UTF-8'))).toContain('not valid UTF-8');
  });

  it('accepts ordinary-looking names that are object keys in JavaScript', async () => {
    const proto = await t.text('__proto__');
    await t.text('constructor');
    proto.send('still fine');
    await proto.waitForLine((line) => line === '__proto__: still fine');
  });

  it('logs each connect and disconnect with address:port, and joins and leaves by name', async () => {
    const alice = await t.text('alice');
    const port = alice.socket.localPort;
    alice.send('/quit');
    await alice.waitForClose();
    await eventually(() => t.logs.some((line) => line.includes(`disconnect 127.0.0.1:${port}`)), 'the disconnect log');
    expect(t.logs.some((line) => line.includes(`connect 127.0.0.1:${port}`))).toBe(true);
    expect(t.logs.some((line) => line.includes('alice joined'))).toBe(true);
    expect(t.logs.some((line) => line.includes('alice left (quit)'))).toBe(true);
  });

  it('survives clients that vanish mid-broadcast', async () => {
    const alice = await t.text('alice');
    const doomed = await Promise.all([1, 2, 3, 4].map((n) => t.text(`doomed${n}`)));
    for (let i = 0; i < 20; i++) alice.send(`message ${i}`);
    for (const client of doomed) client.socket.resetAndDestroy();
    for (let i = 20; i < 40; i++) alice.send(`message ${i}`);
    await alice.waitForLine((line) => line === 'alice: message 39');
    const bob = await t.text('bob');
    alice.send('after');
    await bob.waitForLine((line) => line === 'alice: after');
  });
});

describe('LineClient', () => {
  it('reports what it received when a wait times out', async () => {
    const t = await startTestServer();
    try {
      const client = await t.open();
      await expect(client.until(() => false, 'nothing', 200)).rejects.toThrow(/Welcome to chat/);
    } finally {
      await t.stop();
    }
  });
});
