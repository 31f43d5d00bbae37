import { CliProcess } from '../support/cli-process';
import { eventually } from '../support/line-client';
import { startTestServer, TestServer } from '../support/test-server';

/** Room for tsx to start a process, and for it to finish, on a slow and busy machine. */
const PROCESS_WAIT_MS = 45_000;
/** Tests that run a process or two need more than jest's default on such a machine. */
const TEST_TIMEOUT_MS = 90_000;
/** Processes run at once by the tests that try every flag: enough to finish, not enough to swamp two cores. */
const PARALLEL_PROCESSES = 2;

/** A `chat` command line run to its end: what it printed and how it exited. */
interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function finish(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const chat = CliProcess.run(args, env);
  chat.child.stdin?.end();
  try {
    await eventually(() => chat.exitCode !== null, `chat ${args.join(' ')} to exit; stderr:\n${chat.stderr}`, PROCESS_WAIT_MS);
  } finally {
    chat.kill();
  }
  return { code: await chat.exited, stdout: chat.stdout, stderr: chat.stderr };
}

/** The command line was refused: exactly `line` on stderr, nothing on stdout (no usage), exit 2. */
function expectRefused(result: Finished, line: string): void {
  expect({ stderr: result.stderr, stdout: result.stdout, code: result.code }).toEqual({ stderr: `${line}\n`, stdout: '', code: 2 });
}

/**
 * The flags that take a value, read from `chat <command> --help` (each entry's type label), so a
 * flag added later is covered without touching this spec. Aliases count as flags of their own.
 */
async function valueFlags(command: string): Promise<string[]> {
  const help = await finish([command, '--help']);
  expect(help.code).toBe(0);
  const entries = help.stdout.split(/\n(?=\s+(?:-\w, )?--)/);
  return entries
    .filter((entry) => /\[(string|number)\]/.test(entry))
    .flatMap((entry) => /^\s+(?:-\w, )?(--[\w-]+(?:, --[\w-]+)*)/.exec(entry)![1].split(', '));
}

/** Runs `each` over `items`, at most PARALLEL_PROCESSES at a time. */
async function inParallel<T>(items: T[], each: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await each(item);
  };
  await Promise.all(Array.from({ length: PARALLEL_PROCESSES }, worker));
}

describe('chat command line: a mistake is one line and exit 2', () => {
  jest.setTimeout(TEST_TIMEOUT_MS);

  it.each([
    [['serve', '--port', '99999'], 'chat serve: --port must be a whole number from 0 to 65535 (got 99999)'],
    [['serve', '--log-level', 'loud'], 'chat serve: --log-level must be one of error, warn, info, debug (got "loud")'],
    [['serve', '--no-such-flag'], 'chat serve: unknown flag --no-such-flag'],
    [['serve', '--tls-cert', 'cert.pem'], 'chat serve: --tls-cert and --tls-key go together: give both or neither'],
    [['join', '--port', '0'], 'chat join: --port must be a whole number from 1 to 65535 (got 0)'],
    [['join', '--host', 'no such host'], 'chat join: --host must be an IP address or a host name such as 127.0.0.1 or localhost (got "no such host")'],
    [['join', '--log-level', 'debug'], 'chat join: unknown flag --log-level'],
    [[], 'chat: Say which command to run: chat serve or chat join'],
    [['start'], 'chat: unknown command start (chat serve or chat join)'],
    [['serve', 'now'], 'chat serve: unexpected argument now'],
  ])('chat %j', async (args, line) => {
    expectRefused(await finish(args), line);
  });

  it('prints the full usage only when asked, with --help', async () => {
    const help = await finish(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Options:');
    expect(help.stdout).toContain('--port');
  });
});

describe('chat command line: a flag that takes a value needs one', () => {
  jest.setTimeout(TEST_TIMEOUT_MS);

  it.each([
    [['serve', '--port'], 'chat serve: --port needs a value'],
    [['serve', '--port', '--host', '127.0.0.1'], 'chat serve: --port needs a value'],
    [['serve', '--host', '--port', '0'], 'chat serve: --host needs a value'],
    [['serve', '--port='], 'chat serve: --port needs a value'],
    [['serve', '--port', ''], 'chat serve: --port needs a value'],
    [['serve', '--host='], 'chat serve: --host needs a value'],
    [['join', '--port'], 'chat join: --port needs a value'],
    [['join', '--name', '--port', '1'], 'chat join: --name needs a value'],
    [['join', '--host', ''], 'chat join: --host needs a value'],
  ])('chat %j', async (args, line) => {
    expectRefused(await finish(args), line);
  });

  // Slow (a process per flag), but it is the promise: not one flag falls back to its default.
  it.each(['serve', 'join'])('every value flag of chat %s, given last with no value', async (command) => {
    const flags = await valueFlags(command);
    expect(flags).toEqual(expect.arrayContaining(['--host', '--port']));
    const outcomes: string[] = [];
    await inParallel(flags, async (flag) => {
      const result = await finish([command, flag]);
      outcomes.push(`${flag}: exit ${result.code}, ${JSON.stringify(result.stderr)}`);
    });
    const expected = flags.map((flag) => `${flag}: exit 2, ${JSON.stringify(`chat ${command}: ${flag} needs a value\n`)}`);
    expect(outcomes.sort()).toEqual(expected.sort());
  }, 4 * TEST_TIMEOUT_MS);
});

describe('chat command line: CHAT_* variables belong to their command', () => {
  jest.setTimeout(TEST_TIMEOUT_MS);
  const processes: CliProcess[] = [];
  let server: TestServer | undefined;
  afterEach(async () => {
    for (const chat of processes.splice(0)) chat.kill();
    await server?.stop();
    server = undefined;
  });

  it("chat serve ignores chat join's CHAT_NAME", async () => {
    const serve = CliProcess.run(['serve', '--port', '0'], { CHAT_NAME: 'alice' });
    processes.push(serve);
    expect(await serve.listeningPort()).toBeGreaterThan(0);
  });

  it("chat join ignores chat serve's CHAT_LOG_LEVEL, and reads its own CHAT_NAME and CHAT_PORT", async () => {
    server = await startTestServer();
    const join = CliProcess.run(['join'], { CHAT_LOG_LEVEL: 'debug', CHAT_NAME: 'carol', CHAT_PORT: String(server.port) });
    processes.push(join);
    await eventually(() => server!.logs.some((line) => line.includes('carol joined')) || join.exitCode !== null, 'carol to join');
    expect({ joined: server.logs.some((line) => line.includes('carol joined')), stderr: join.stderr }).toEqual({ joined: true, stderr: '' });
  });

  it('a flag on the command line wins over its variable', async () => {
    const serve = CliProcess.run(['serve', '--port', '0'], { CHAT_PORT: '99999' });
    processes.push(serve);
    expect(await serve.listeningPort()).toBeGreaterThan(0);
  });

  it.each([
    [['serve'], { CHAT_PORT: '99999' }, 'chat serve: --port must be a whole number from 0 to 65535 (got 99999), set by CHAT_PORT'],
    [['serve'], { CHAT_PORT: '' }, 'chat serve: CHAT_PORT needs a value'],
    [['serve'], { CHAT_LOG_LEVEL: 'loud' }, 'chat serve: --log-level must be one of error, warn, info, debug (got "loud"), set by CHAT_LOG_LEVEL'],
    [['serve'], { CHAT_REDIS_URL: 'http://127.0.0.1:6379' }, 'chat serve: --redis must start with redis:// or rediss:// (got "http:"), set by CHAT_REDIS_URL'],
    [['serve'], { CHAT_EXEMPT_LOOPBACK: 'yes' }, 'chat serve: CHAT_EXEMPT_LOOPBACK must be true or false (got "yes")'],
    [['join'], { CHAT_PORT: '0' }, 'chat join: --port must be a whole number from 1 to 65535 (got 0), set by CHAT_PORT'],
    [['join'], { CHAT_TLS: 'on' }, 'chat join: CHAT_TLS must be true or false (got "on")'],
  ])('chat %j with %j is refused in one line', async (args, env, line) => {
    expectRefused(await finish(args, env), line);
  });
});
