import { spawn, StdioOptions } from 'child_process';
import { closeSync, openSync } from 'fs';
import { AddressInfo, connect, createServer, Server, Socket } from 'net';
import { join } from 'path';
import { SEND_BURST } from '../../src/client/limits';
import { createTestCertificate, TestCertificate } from '../support/certificate';
import { CliProcess } from '../support/cli-process';
import { eventually, LineClient } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

const MAIN = join(__dirname, '../../src/cli/main.ts');
const ROOT = join(__dirname, '../..');

/** Room for tsx to start a process on a slow, busy machine, and for the process to finish. */
const PROCESS_WAIT_MS = 45_000;
/** Each test runs a process or two; the default test timeout is too short for that on a slow machine. */
const TEST_TIMEOUT_MS = 90_000;
/**
 * How long the proxy in front of the chat holds back what the server says on a new connection: long
 * enough that the client has read all of an already written pipe before its welcome arrives, as on a
 * real network. Without it the order is a race, and a client that loses early lines may get lucky.
 */
const WELCOME_HOLD_MS = 1000;

/**
 * A TCP proxy to `port` that holds back the server's first WELCOME_HOLD_MS of output on each
 * connection (the greeting and the welcome), then passes everything through. The chat stays real.
 */
async function startSlowProxy(port: number): Promise<Server> {
  const proxy = createServer((client: Socket) => {
    const server = connect(port, '127.0.0.1');
    const held: Buffer[] = [];
    let holding = true;
    setTimeout(() => {
      holding = false;
      for (const chunk of held.splice(0)) client.write(chunk);
    }, WELCOME_HOLD_MS);
    server.on('data', (chunk: Buffer) => (holding ? held.push(chunk) : client.write(chunk)));
    client.pipe(server);
    server.on('close', () => setTimeout(() => client.end(), holding ? WELCOME_HOLD_MS : 0));
    client.on('close', () => server.destroy());
    client.on('error', () => {});
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}

/**
 * `chat join` as a real process, run as `CliProcess.run` does, but with stdin of our choosing: a pipe
 * (the default), an already open file descriptor (`< /dev/null`), or a shell here-doc (`script`).
 */
function runJoin(args: string[], stdin: 'pipe' | number = 'pipe'): CliProcess {
  const stdio: StdioOptions = [stdin, 'pipe', 'pipe'];
  return new CliProcess(spawn(process.execPath, ['--import', 'tsx', MAIN, 'join', ...args], { cwd: ROOT, stdio }));
}

/** `chat join ARGS <<EOF … EOF` through a real shell, so stdin is exactly what a script would give. */
function runJoinWithHereDoc(args: string[], lines: string[]): CliProcess {
  const script = `exec "$0" --import tsx "$1" join ${args.map((arg) => `'${arg}'`).join(' ')} <<'EOF'\n${lines.join('\n')}\nEOF\n`;
  return new CliProcess(spawn('sh', ['-c', script, process.execPath, MAIN], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The exit code, once the process exits; fails with what it printed if it never does. */
async function exitCode(join: CliProcess): Promise<number | null> {
  try {
    await eventually(() => join.exitCode !== null, 'chat join to exit', PROCESS_WAIT_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}; stdout:\n${join.stdout}\nstderr:\n${join.stderr}`, { cause: err });
  }
  return join.exited;
}

describe('chat join in a pipe (the real process)', () => {
  const processes: CliProcess[] = [];
  let server: TestServer | undefined;
  let helperServer: Server | undefined;
  let certificate: TestCertificate | undefined;
  afterEach(async () => {
    for (const process of processes.splice(0)) process.kill();
    await server?.stop();
    server = undefined;
    await new Promise((resolve) => (helperServer ? helperServer.close(resolve) : resolve(undefined)));
    helperServer = undefined;
    certificate?.remove();
    certificate = undefined;
  });

  /** A chat server with alice in #lobby, watching what the client says; `port` is the slow proxy's. */
  async function chatWithAlice(): Promise<{ port: number; alice: LineClient }> {
    server = await startTestServer();
    const alice = await server.text('alice');
    helperServer = await startSlowProxy(server.port);
    return { port: (helperServer.address() as AddressInfo).port, alice };
  }

  it('printf hello | chat join --name bot: sends the line that came before the welcome, then exits 0', async () => {
    const { port, alice } = await chatWithAlice();
    const join = runJoin(['--port', String(port), '--name', 'bot']);
    processes.push(join);
    // Written and ended before the process has even connected: it all waits in the pipe.
    join.child.stdin!.end('hello\n');
    expect(await exitCode(join)).toBe(0);
    await alice.waitForLine((line) => line === 'bot: hello');
    expect(join.stdout).toContain('*** Welcome, bot!');
    expect(join.stdout).toContain('bot: hello\n');
    expect(join.stdout).toContain('*** Goodbye, bot!');
    expect(join.stderr).toBe('');
  }, TEST_TIMEOUT_MS);

  it('joins and exits 0 when stdin is already closed as it starts (< /dev/null)', async () => {
    const { port, alice } = await chatWithAlice();
    const devNull = openSync('/dev/null', 'r');
    const join = runJoin(['--port', String(port), '--name', 'bot'], devNull);
    closeSync(devNull);
    processes.push(join);
    expect(await exitCode(join)).toBe(0);
    expect(join.stdout).toContain('*** Welcome, bot!');
    expect(join.stderr).toBe('');
    await alice.waitForLine((line) => line === '*** bot left the chat');
  }, TEST_TIMEOUT_MS);

  it('joins and exits 0 when the pipe ends at once with nothing in it', async () => {
    const { port, alice } = await chatWithAlice();
    const join = runJoin(['--port', String(port), '--name', 'bot']);
    processes.push(join);
    join.child.stdin!.end();
    expect(await exitCode(join)).toBe(0);
    expect(join.stdout).toContain('*** Welcome, bot!');
    await alice.waitForLine((line) => line === '*** bot left the chat');
  }, TEST_TIMEOUT_MS);

  it.each(['{quit}', '/quit'])('sends every line before %s, in order, and exits 0 though the pipe stays open', async (quit) => {
    const { port, alice } = await chatWithAlice();
    const join = runJoin(['--port', String(port), '--name', 'bot']);
    processes.push(join);
    join.child.stdin!.write(`one\ntwo\n${quit}\n`);
    expect(await exitCode(join)).toBe(0);
    await alice.waitForLine((line) => line === '*** bot left the chat');
    expect(alice.lines.filter((line) => line.startsWith('bot: '))).toEqual(['bot: one', 'bot: two']);
  }, TEST_TIMEOUT_MS);

  it('sends a here-doc longer than a burst, /join #dev included, in order, then exits 0', async () => {
    const { port, alice } = await chatWithAlice();
    const carol = await server!.text('carol');
    carol.send('/join #dev');
    await carol.waitForLine((line) => line.startsWith('*** You are now in #dev'));
    // More lines than the client sends at once: the rest wait for the pace, and must not be lost at the end.
    const lobbyLines = Array.from({ length: SEND_BURST + 4 }, (_, index) => `line ${index + 1}`);
    const join = runJoinWithHereDoc(['--port', String(port), '--name', 'bot'], [...lobbyLines, '/join #dev', 'hello dev']);
    processes.push(join);
    expect(await exitCode(join)).toBe(0);
    await carol.waitForLine((line) => line === 'bot: hello dev');
    expect(alice.lines.filter((line) => line.startsWith('bot: '))).toEqual(lobbyLines.map((line) => `bot: ${line}`));
    expect(join.stderr).toBe('');
  }, TEST_TIMEOUT_MS);

  it('exits 1 with one line saying why when the port speaks TLS and --tls was not given', async () => {
    certificate = createTestCertificate();
    server = await startTestServer({ tls: { cert: certificate.cert, key: certificate.key } });
    const join = runJoin(['--port', String(server.port), '--name', 'bot']);
    processes.push(join);
    join.child.stdin!.end('hello\n');
    expect(await exitCode(join)).toBe(1);
    expect(join.stderr).toBe(
      `chat join: cannot connect to 127.0.0.1:${server.port}: the server closed the connection without a word (does it expect TLS?)\n`,
    );
  }, TEST_TIMEOUT_MS);

  it('exits 1 with one line saying why when the server is not a chat server', async () => {
    // An HTTP server, say: it greets nobody, refuses the first line it reads and hangs up.
    helperServer = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    await new Promise<void>((resolve) => helperServer!.listen(0, '127.0.0.1', resolve));
    const port = (helperServer.address() as AddressInfo).port;
    const join = runJoin(['--port', String(port), '--name', 'bot']);
    processes.push(join);
    join.child.stdin!.end('hello\n');
    expect(await exitCode(join)).toBe(1);
    expect(join.stderr).toMatch(new RegExp(`^chat join: cannot connect to 127\\.0\\.0\\.1:${port}: [^\\n]+\\n$`));
  }, TEST_TIMEOUT_MS);

  it('exits 1 after --answer-timeout-ms when the server takes the name and never answers', async () => {
    const accepted: Socket[] = [];
    helperServer = createServer((socket) => accepted.push(socket.on('error', () => {})));
    await new Promise<void>((resolve) => helperServer!.listen(0, '127.0.0.1', resolve));
    const port = (helperServer.address() as AddressInfo).port;
    const join = runJoin(['--port', String(port), '--name', 'bot', '--answer-timeout-ms', '500']);
    processes.push(join);
    join.child.stdin!.end('hello\n');
    try {
      expect(await exitCode(join)).toBe(1);
      expect(join.stderr).toBe(`chat join: cannot connect to 127.0.0.1:${port}: the server did not answer as a chat server within 0.5 s\n`);
    } finally {
      // A silent server keeps what it accepted open: close it, or the server never finishes closing.
      for (const socket of accepted) socket.destroy();
    }
  }, TEST_TIMEOUT_MS);
});
