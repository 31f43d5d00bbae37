import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { eventually } from './line-client';

const MAIN = join(__dirname, '../../src/cli/main.ts');
const ROOT = join(__dirname, '../..');

/** A `chat` command run as a real process from the TypeScript sources (through tsx), output captured. */
export class CliProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  static run(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
    return new CliProcess(
      spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
  }

  /** Starts `chat serve` on a free port and resolves with that port once it is listening. */
  static async serve(extraArgs: string[] = []): Promise<{ process: CliProcess; port: number }> {
    const serve = CliProcess.run(['serve', '--port', '0', ...extraArgs]);
    return { process: serve, port: await serve.listeningPort() };
  }

  /** The port `chat serve` says it listens on, once it says so; kills it if it exits or never does. */
  async listeningPort(): Promise<number> {
    let port = 0;
    try {
      await eventually(() => {
        const match = /listening on 127\.0\.0\.1:(\d+)/.exec(this.stderr);
        if (match) port = Number(match[1]);
        if (this.exitCode !== null) throw new Error(`chat serve exited early:\n${this.stderr}`);
        return port !== 0;
      }, 'chat serve to listen', 30_000);
    } catch (err) {
      this.kill();
      throw err;
    }
    return port;
  }

  kill(): void {
    if (this.exitCode === null) this.child.kill('SIGKILL');
  }
}
