import { PassThrough } from 'stream';
import { createChatClient } from '../../src/client/chat-client';
import { OUTBOX_LIMIT, SEND_BURST } from '../../src/client/limits';
import { runLineMode } from '../../src/client/line-mode';
import { CliProcess } from '../support/cli-process';
import { eventually, LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';
import { FakeServer } from './fake-server';

/** A line-mode session in this process, its output collected. */
async function lineMode(port: number, name?: string, options: { input?: PassThrough; answerTimeoutMs?: number } = {}) {
  const client = createChatClient({ host: '127.0.0.1', port, goodbyeWaitMs: 200 });
  await client.connect();
  const { input = new PassThrough(), answerTimeoutMs } = options;
  const output = new PassThrough();
  const errors = new PassThrough();
  let out = '';
  let err = '';
  output.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  errors.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = runLineMode({ client, input, output, errors, name, answerTimeoutMs });
  return {
    client,
    input,
    exit,
    out: () => out,
    err: () => err,
    waitForOutput: (text: string) => eventually(() => out.includes(text), `${JSON.stringify(text)} in the output:\n${out}`),
  };
}

describe('line mode', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.stop();
  });

  it('sends each line read, prints each event as a plain line, and quits at end of input', async () => {
    const alice = await server.text('alice');
    const session = await lineMode(server.port, 'bob');
    await session.waitForOutput('*** Welcome, bob!');
    session.input.write('hello alice\n\nsecond line\n');
    await alice.waitForLine((line) => line === 'bob: second line');
    alice.send('hi bob');
    await session.waitForOutput('alice: hi bob\n');
    session.input.end();
    expect(await session.exit).toBe(0);
    expect(session.out()).toBe(
      [
        '*** Welcome, bob! You are in #lobby: 2 users: alice, bob. Type /help for commands, {quit} or /quit to leave.',
        'bob: hello alice',
        'bob: second line',
        'alice: hi bob',
        '*** Goodbye, bob!',
        '',
      ].join('\n'),
    );
    expect(session.client.state.status).toBe('closed');
    await alice.waitForLine((line) => line === '*** bob left the chat');
  });

  it('without a name, takes names from the input until one is accepted', async () => {
    await server.text('alice');
    const session = await lineMode(server.port);
    session.input.write('alice\n');
    await session.waitForOutput('is taken');
    session.input.write('bad name!\n');
    await session.waitForOutput('is invalid');
    session.input.write('carol\nnow a message\n');
    await session.waitForOutput('carol: now a message');
    session.input.end();
    expect(await session.exit).toBe(0);
  });

  it('reads slash commands as text mode does, and explains the ones it cannot send', async () => {
    const alice = await server.json('alice');
    const session = await lineMode(server.port, 'bob');
    await session.waitForOutput('*** Welcome, bob!');
    session.input.write('/join #dev\nhello dev\n/msg alice psst\n//slash\n/teleport\n/me waves\n');
    await session.waitForOutput('* bob waves\n');
    await eventually(() => session.err().includes('unknown command'), 'the local error');
    expect(session.out()).toContain('*** You are now in #dev: 1 user: bob. Lines you type go to #dev.\n');
    expect(session.out()).toContain('bob: hello dev\n');
    expect(session.out()).toContain('[private] bob -> alice: psst\n');
    expect(session.out()).toContain('bob: /slash\n');
    expect(session.err()).toBe('chat: unknown command /teleport; /help lists the commands\n');
    await alice.waitForJson((frame) => frame.type === 'private' && frame.text === 'psst');
    session.input.end();
    expect(await session.exit).toBe(0);
  });

  it('stops at /quit, and exits 1 when no name was ever accepted', async () => {
    await server.text('alice');
    const session = await lineMode(server.port, 'alice');
    await session.waitForOutput('is taken');
    session.input.write('/quit\nnever read\n');
    expect(await session.exit).toBe(1);
    expect(session.out()).not.toContain('never read');
  });
});

describe('line mode reading a pipe', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.stop();
  });

  it('sends the lines read while the name is being asked for, and quits at the end of input read with them', async () => {
    const alice = await server.text('alice');
    // Everything, end of input included, is there before the welcome can be: `printf 'hello\n' | chat join`.
    const input = new PassThrough();
    input.end('hello\nsecond\n');
    const session = await lineMode(server.port, 'bob', { input });
    expect(await session.exit).toBe(0);
    await alice.waitForLine((line) => line === '*** bob left the chat');
    expect(alice.lines.filter((line) => line.startsWith('bob: '))).toEqual(['bob: hello', 'bob: second']);
  });

  it('joins and quits with 0 when the input has ended before it starts', async () => {
    const alice = await server.text('alice');
    const input = new PassThrough();
    input.end();
    const session = await lineMode(server.port, 'bob', { input });
    expect(await session.exit).toBe(0);
    expect(session.out()).toContain('*** Welcome, bob!');
    await alice.waitForLine((line) => line === '*** bob left the chat');
  });

  it.each(['{quit}', '/quit', 'end of input'])('sends every line queued by the pace before leaving at %s', async (ending) => {
    const alice = await server.text('alice');
    const session = await lineMode(server.port, 'bob');
    await session.waitForOutput('*** Welcome, bob!');
    // More lines than the client sends at once: the last ones are still waiting for the pace at the end.
    const lines = Array.from({ length: SEND_BURST + 4 }, (_, index) => `line ${index + 1}`);
    session.input.write(lines.map((line) => `${line}\n`).join(''));
    if (ending === 'end of input') session.input.end();
    else session.input.write(`${ending}\n`);
    expect(await session.exit).toBe(0);
    await alice.waitForLine((line) => line === '*** bob left the chat');
    expect(alice.lines.filter((line) => line.startsWith('bob: '))).toEqual(lines.map((line) => `bob: ${line}`));
  });

  it('does not drop lines when a pipe gives more than the outbox holds', async () => {
    // Only the wait for the outbox keeps these: without it, the lines past OUTBOX_LIMIT are refused at once.
    const alice = await server.text('alice');
    const input = new PassThrough();
    const lines = Array.from({ length: OUTBOX_LIMIT + SEND_BURST + 2 }, (_, index) => `line ${index + 1}`);
    input.end(lines.map((line) => `${line}\n`).join(''));
    const session = await lineMode(server.port, 'bob', { input });
    expect(await session.exit).toBe(0);
    expect(session.err()).toBe('');
    await alice.waitForLine((line) => line === '*** bob left the chat', 0);
    expect(alice.lines.filter((line) => line.startsWith('bob: '))).toEqual(lines.map((line) => `bob: ${line}`));
  }, 120_000);
});

describe('line mode when the first connection is not a chat', () => {
  let fake: FakeServer;
  beforeEach(async () => {
    fake = await FakeServer.start();
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('exits 1 with one line when the first connection closes before the server answered the name', async () => {
    const session = await lineMode(fake.port, 'bob');
    await fake.waitForReceived((line) => line.includes('"hello"'));
    (await fake.connection()).destroy();
    expect(await session.exit).toBe(1);
    expect(session.err()).toMatch(new RegExp(`^chat join: cannot connect to 127\\.0\\.0\\.1:${fake.port}: [^\\n]+\\n$`));
    expect(session.client.state.status).toBe('closed');
    expect(fake.sockets).toHaveLength(1);
  });

  it('exits 1 with one line when the server never answers the name', async () => {
    const session = await lineMode(fake.port, 'bob', { answerTimeoutMs: 300 });
    expect(await session.exit).toBe(1);
    expect(session.err()).toBe(`chat join: cannot connect to 127.0.0.1:${fake.port}: the server did not answer as a chat server within 0.3 s\n`);
  });

  it('without a name, gives up the same way once the first line is sent as the name', async () => {
    const session = await lineMode(fake.port, undefined, { answerTimeoutMs: 300 });
    session.input.write('bob\n');
    expect(await session.exit).toBe(1);
    expect(session.err()).toBe(`chat join: cannot connect to 127.0.0.1:${fake.port}: the server did not answer as a chat server within 0.3 s\n`);
    expect(fake.received[0]).toContain(JSON.stringify({ type: 'hello', name: 'bob' }));
  });

  it('still reconnects when a connection is lost after the server answered', async () => {
    const session = await lineMode(fake.port, 'bob', { answerTimeoutMs: 300 });
    await fake.waitForReceived((line) => line.includes('"hello"'));
    await fake.send([JSON.stringify({ type: 'welcome', name: 'bob', room: '#lobby', users: ['bob'], count: 1 })]);
    await session.waitForOutput('*** Welcome, bob!');
    (await fake.connection()).destroy();
    await eventually(() => session.err().includes('reconnecting'), 'the reconnection notice');
    await fake.waitForReceived((line) => line.includes('"hello"'), 1);
    session.input.end();
    expect(await session.exit).toBe(0);
  });
});

describe('line mode against a hostile server', () => {
  it('prints remote text inert', async () => {
    const fake = await FakeServer.start();
    try {
      const session = await lineMode(fake.port);
      await fake.send([
        JSON.stringify({ type: 'message', room: '#l\u001b', from: 'm\u001b[2J', text: '\u001b[31mred\rfake: line\u009b\u202e', ts: 1, id: 1 }),
      ]);
      await session.waitForOutput('red');
      expect(session.out()).toBe('[#l␛] m␛[2J: ␛[31mred⏎fake: line�\n');
      session.input.end();
      await session.exit;
    } finally {
      await fake.stop();
    }
  });
});

describe('chat join through pipes (the real process)', () => {
  const processes: CliProcess[] = [];
  let server: TestServer | undefined;
  afterEach(async () => {
    for (const process of processes.splice(0)) process.kill();
    await server?.stop();
    server = undefined;
  });

  it('runs in line mode when stdin and stdout are not a terminal, and exits 0 at end of input', async () => {
    server = await startTestServer();
    const alice: LineClient = await server.text('alice');
    const join = CliProcess.run(['join', '--port', String(server.port), '--name', 'bob']);
    processes.push(join);
    await eventually(() => join.stdout.includes('*** Welcome, bob!'), `the welcome; stderr: ${join.stderr}`, 30_000);
    join.child.stdin!.write('hello from a pipe\n');
    await alice.waitForLine((line) => line === 'bob: hello from a pipe');
    alice.send('hello pipe');
    await eventually(() => join.stdout.includes('alice: hello pipe\n'), 'the message from alice');
    join.child.stdin!.end();
    expect(await join.exited).toBe(0);
    expect(join.stdout).toContain('*** Goodbye, bob!');
    expect(join.stdout).not.toMatch(/\u001b/);
  });

  it('says why and exits 1 when it cannot connect', async () => {
    const fake = await FakeServer.start();
    const port = fake.port;
    await fake.stop();
    const join = CliProcess.run(['join', '--port', String(port), '--name', 'bob']);
    processes.push(join);
    expect(await join.exited).toBe(1);
    expect(join.stderr).toBe(`chat join: cannot connect to 127.0.0.1:${port}: connection refused (is the server running?)\n`);
  });

  it('refuses a bad port with a clear message', async () => {
    const join = CliProcess.run(['join', '--port', '70000']);
    processes.push(join);
    expect(await join.exited).toBe(2);
    expect(join.stderr).toContain('--port must be a whole number from 1 to 65535 (got 70000)');
  });
});
