import { execFile, spawn } from 'child_process';
import { rmSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';
import { SHUTDOWN_MESSAGE } from '../../src/server/server';
import { CliProcess } from '../support/cli-process';
import { eventually, LineClient } from '../support/line-client';

const ROOT = join(__dirname, '../..');

/**
 * The build the service runs: what `npm run build` puts in dist/, compiled here from the current
 * sources into a folder of this spec's own, so a stale dist/ cannot pass for the code under test and
 * other runs using dist/ are not disturbed. Inside node_modules/, so its `require('yargs')` resolves.
 */
const BUILD_DIR = join(ROOT, 'node_modules', '.cache', `service-spec-${process.pid}`);

/** Room for tsc to compile the project on a slow, busy machine. */
const BUILD_WAIT_MS = 180_000;
/** How long the server may take to stop after SIGTERM: its default --close-grace-ms (2 s) and room. */
const STOP_WAIT_MS = 15_000;

/** Whether any process is left in the process group `id` (a child started with `detached: true`). */
function groupAlive(id: number): boolean {
  try {
    process.kill(-id, 0);
    return true;
  } catch {
    return false;
  }
}

describe('chat serve as a service: node dist/cli/main.js serve (the README)', () => {
  jest.setTimeout(BUILD_WAIT_MS);
  let serve: CliProcess | undefined;
  let client: LineClient | undefined;

  beforeAll(async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR, '--declaration', 'false', '--sourceMap', 'false'], { cwd: ROOT });
  });

  afterAll(() => rmSync(BUILD_DIR, { recursive: true, force: true }));

  afterEach(() => {
    client?.close();
    const pid = serve?.child.pid;
    if (pid !== undefined && groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  });

  it('stops on SIGTERM: says goodbye to its clients, exits 0, and leaves no process behind', async () => {
    // Its own process group, as a service manager starts it, so that anything it left running would show.
    serve = new CliProcess(
      spawn(process.execPath, [join(BUILD_DIR, 'cli', 'main.js'), 'serve', '--port', '0'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    const port = await serve.listeningPort();
    client = await LineClient.textUser(port, 'alice');

    serve.child.kill('SIGTERM');
    const sentAt = Date.now();
    await client.waitForLine((line) => line.includes(SHUTDOWN_MESSAGE));
    await eventually(() => serve!.exitCode !== null, `chat serve to exit after SIGTERM; stderr:\n${serve.stderr}`, STOP_WAIT_MS);

    expect(await serve.exited).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(STOP_WAIT_MS);
    expect(serve.stderr).toContain('SIGTERM received, shutting down');
    await client.waitForClose();
    await eventually(() => !groupAlive(serve!.child.pid!), 'the process group to be empty');
  });
});
