import { PassThrough } from 'stream';
import { createChatClient } from '../../src/client/chat-client';
import { runLineMode } from '../../src/client/line-mode';
import { CliProcess } from '../support/cli-process';
import { eventually, LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';
import { FakeServer } from './fake-server';

/** A line-mode session in this process, its output collected. */
async function lineMode(port: number, name?: string) {
  const client = createChatClient({ host: '127.0.0.1', port, goodbyeWaitMs: 200 });
  await client.connect();
  const input = new PassThrough();
  const output = new PassThrough();
  const errors = new PassThrough();
  let out = '';
  let err = '';
  output.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  errors.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = runLineMode({ client, input, output, errors, name });
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
    expect(await join.exited).toBe(1);
    expect(join.stderr).toContain('--port must be a whole number from 1 to 65535 (got 70000)');
  });
});
