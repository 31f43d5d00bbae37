import { createServer, Server } from 'net';
import { CliProcess } from '../support/cli-process';
import { eventually, LineClient } from '../support/line-client';

describe('chat serve (the real process)', () => {
  const processes: CliProcess[] = [];
  const clients: LineClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    for (const process of processes.splice(0)) process.kill();
  });

  it('on SIGINT tells every client it is shutting down, closes their sockets and exits 0', async () => {
    const { process: serve, port } = await CliProcess.serve();
    processes.push(serve);
    const text = await LineClient.textUser(port, 'alice');
    const json = await LineClient.jsonUser(port, 'bob');
    clients.push(text, json);
    serve.child.kill('SIGINT');
    await text.waitForLine((line) => line.includes('shutting down'));
    expect(await json.waitForJson((frame) => frame.type === 'bye')).toMatchObject({ reason: 'shutdown' });
    await Promise.all([text.waitForClose(), json.waitForClose()]);
    expect(await serve.exited).toBe(0);
    expect(serve.stderr).toMatch(/SIGINT received, shutting down/);
  });

  it('exits 0 on SIGTERM too', async () => {
    const { process: serve } = await CliProcess.serve();
    processes.push(serve);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it('logs where it listens, and each client address on connect and disconnect', async () => {
    const { process: serve, port } = await CliProcess.serve();
    processes.push(serve);
    const alice = await LineClient.textUser(port, 'alice');
    const local = `127.0.0.1:${alice.socket.localPort}`;
    alice.send('{quit}');
    await alice.waitForClose();
    await eventually(() => serve.stderr.includes(`disconnect ${local}`), 'the disconnect log line');
    expect(serve.stderr).toContain(`connect ${local}`);
    expect(serve.stderr).toContain('alice joined');
    expect(serve.stderr).toContain('alice left (quit)');
  });

  it('says in one line that the port is in use and exits 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const serve = CliProcess.run(['serve', '--port', String(port)]);
      processes.push(serve);
      expect(await serve.exited).toBe(1);
      expect(serve.stderr.trim()).toBe(`chat serve: port ${port} is already in use on 127.0.0.1`);
    } finally {
      blocker.close();
    }
  });

  it.each([
    [['serve', '--port', '70000'], /^chat serve: --port must be a whole number from 0 to 65535 \(got 70000\)\n$/],
    [['serve', '--max-frame-bytes', '0'], /^chat serve: --max-frame-bytes must be a whole number above 0/],
    [['serve', '--log-level', 'loud'], /^chat serve: --log-level must be one of error, warn, info, debug/],
    [['serve', '--no-such-flag'], /^chat serve: unknown flag --no-such-flag\n$/],
    [['serve', '--history', '-1'], /^chat serve: --history must be a whole number, 0 or more/],
    [['serve', '--slow-timeout', '0'], /^chat serve: --slow-timeout must be a number above 0/],
    [['serve', '--hold-share', '1.5'], /^chat serve: --hold-share must be a number above 0 and at most 1/],
  ])('rejects %j in one line (no usage) and exits 2', async (args, message) => {
    const serve = CliProcess.run(args);
    processes.push(serve);
    expect(await serve.exited).toBe(2);
    expect(serve.stderr).toMatch(message);
    expect(serve.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(serve.stdout).toBe('');
  });

  it('reads flags from CHAT_* environment variables', async () => {
    const free: Server = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as { port: number }).port;
    await new Promise((resolve) => free.close(resolve));
    const serve = CliProcess.run(['serve'], { CHAT_PORT: String(port), CHAT_MAX_MESSAGE_LENGTH: '5' });
    processes.push(serve);
    await eventually(() => serve.stderr.includes(`listening on 127.0.0.1:${port}`), 'chat serve to listen on CHAT_PORT');
    const alice = await LineClient.textUser(port, 'alice');
    clients.push(alice);
    alice.send('123456');
    expect(await alice.waitForLine((line) => line.includes('too long'))).toContain('the limit is 5 characters');
  });

  it('--help lists every flag', async () => {
    const help = CliProcess.run(['serve', '--help']);
    expect(await help.exited).toBe(0);
    const flags = [
      '--host', '--port', '--max-frame-bytes', '--max-message-length', '--close-grace-ms', '--log-level',
      '--history', '--motd', '--max-rooms-per-user', '--announce-limit', '--line-idle-ms',
      '--send-queue-bytes', '--catch-up-ms', '--hold-share', '--slow-timeout', '--rate', '--burst', '--flood-disconnect-after',
      '--register-timeout', '--ping-interval', '--ping-timeout', '--max-connections', '--max-per-ip',
      '--exempt-loopback', '--tls-cert', '--tls-key',
    ];
    for (const flag of flags) {
      expect(help.stdout).toContain(flag);
    }
  });
});

describe('chat serve room flags', () => {
  it('--motd and --history reach users', async () => {
    const { process: serve, port } = await CliProcess.serve(['--motd', 'Hello \u001b[31mworld', '--history', '1']);
    const clients: LineClient[] = [];
    try {
      const alice = await LineClient.textUser(port, 'alice');
      clients.push(alice);
      expect(alice.lines).toContain('*** Hello [31mworld');
      alice.send('one');
      alice.send('two');
      await alice.waitForLine((line) => line === 'alice: two');
      const bob = await LineClient.textUser(port, 'bob');
      clients.push(bob);
      await bob.waitForLine((line) => line === '[history] alice: two');
      expect(bob.lines.filter((line) => line.startsWith('[history]'))).toEqual(['[history] alice: two']);
    } finally {
      for (const client of clients) client.close();
      serve.kill();
    }
  });
});

describe('chat serve --line-idle-ms', () => {
  it('reaches the connections: with 0 a write without a line end waits for one; by default the pause ends it', async () => {
    const off = await CliProcess.serve(['--line-idle-ms', '0']);
    const on = await CliProcess.serve(['--line-idle-ms', '50']);
    const clients: LineClient[] = [];
    try {
      const [withoutPause, withPause] = await Promise.all([LineClient.open(off.port), LineClient.open(on.port)]);
      clients.push(withoutPause, withPause);
      withoutPause.socket.write('giulia');
      withPause.socket.write('giulia');
      await withPause.waitForLine((line) => line.includes('Welcome, giulia!'));
      // The same write went to the server without pauses at the same time, and its answer is not there.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(withoutPause.lines.some((line) => line.includes('Welcome, giulia!'))).toBe(false);
      withoutPause.socket.write('\n');
      await withoutPause.waitForLine((line) => line.includes('Welcome, giulia!'));
    } finally {
      for (const client of clients) client.close();
      off.process.kill();
      on.process.kill();
    }
  });
});
