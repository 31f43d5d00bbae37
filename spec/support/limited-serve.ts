import { spawn } from 'child_process';
import { join } from 'path';
import { CliProcess } from './cli-process';

const MAIN = join(__dirname, '../../src/cli/main.ts');
const ROOT = join(__dirname, '../..');

/**
 * Starts `chat serve` on a free port as a real process whose file-descriptor limit (`ulimit -n`) is
 * `maxOpenFiles`, so a test can run it out of descriptors. Resolves once it is listening.
 */
export async function serveWithFdLimit(maxOpenFiles: number, extraArgs: string[] = []): Promise<{ process: CliProcess; port: number }> {
  // `exec` replaces the shell, so killing the child kills the server itself.
  const child = spawn(
    'bash',
    ['-c', `ulimit -n ${maxOpenFiles} && exec "$@"`, 'chat-serve', process.execPath, '--import', 'tsx', MAIN, 'serve', '--port', '0', ...extraArgs],
    { cwd: ROOT, env: process.env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const serve = new CliProcess(child);
  return { process: serve, port: await serve.listeningPort() };
}
