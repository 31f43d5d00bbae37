import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { eventually } from './line-client';
import { describeNeeding, findCommand } from './needs-command';

/** Where `redis-server` is on the PATH, or null. */
export function findRedisServer(): string | null {
  return findCommand('redis-server');
}

const INSTALL_HINT = 'install it to run them: apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)';

/** `describe` for specs that need a real Redis: see `describeNeeding`. */
export function describeWithRedis(name: string, body: () => void): void {
  describeNeeding('redis-server', INSTALL_HINT, name, body);
}

export interface RedisServerOptions {
  /** Keep data across a restart (an append-only file synced on every write), as a production Redis would. */
  readonly persistent?: boolean;
}

/** A private `redis-server` on a free loopback port, with its own data directory. */
export class RedisServer {
  private child?: ChildProcess;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly persistent: boolean,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'chat-redis-')), options.persistent ?? false);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and directory; resolves once it accepts connections. */
  async restart(): Promise<void> {
    const persistence = this.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    this.output = '';
    const child = spawn(findRedisServer()!, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, ...persistence], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    await eventually(() => {
      if (child.exitCode !== null) throw new Error(`redis-server exited at start:\n${this.output}`);
      return /Ready to accept connections/.test(this.output);
    }, 'redis-server to start', 20_000);
  }

  /** Stops it as an operator would (SIGTERM), and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Stops it and removes its data. */
  async dispose(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child!.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
