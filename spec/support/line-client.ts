import { connect, Socket } from 'net';

/** How long a test waits for an expected line before failing with what it did receive. */
export const WAIT_MS = 10_000;

/**
 * A raw TCP client for integration tests: it records every line the server sends and lets a test wait
 * for the line it expects (never for a fixed time), as a netcat user or a JSON program would see it.
 */
export class LineClient {
  readonly lines: string[] = [];
  private partial = '';
  private waiters: Array<() => void> = [];
  private closedFlag = false;
  private readonly parsedFrames: Array<Record<string, unknown>> = [];
  private parsedLines = 0;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
  }

  /** Wraps a socket that is already connected (a TLS socket, say). */
  static fromSocket(socket: Socket): LineClient {
    return new LineClient(socket);
  }

  static open(port: number, host = '127.0.0.1'): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Opens a connection in text mode and registers `name`, waiting for the welcome. */
  static async textUser(port: number, name: string): Promise<LineClient> {
    const client = await LineClient.open(port);
    client.send(name);
    await client.waitForLine((line) => line.includes(`Welcome, ${name}!`));
    return client;
  }

  /** Opens a connection in JSON mode and registers `name`, waiting for the welcome. */
  static async jsonUser(port: number, name: string): Promise<LineClient> {
    const client = await LineClient.open(port);
    client.sendJson({ type: 'hello', name });
    await client.waitForJson((frame) => frame.type === 'welcome');
    return client;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  sendJson(frame: unknown): void {
    this.send(JSON.stringify(frame));
  }

  /**
   * Lines that are JSON objects, parsed; other lines (the greeting) are skipped, as a JSON client would.
   * Parsed once each, as they are first asked for, so waiting on thousands of frames stays linear.
   */
  get frames(): Array<Record<string, unknown>> {
    for (; this.parsedLines < this.lines.length; this.parsedLines++) {
      const line = this.lines[this.parsedLines];
      if (line.startsWith('{')) this.parsedFrames.push(JSON.parse(line) as Record<string, unknown>);
    }
    return this.parsedFrames;
  }

  /** Waits for a line after the first `from` lines matching `match`; returns it. */
  async waitForLine(match: (line: string) => boolean, from = 0): Promise<string> {
    await this.until(() => this.lines.slice(from).some(match), 'a matching line');
    return this.lines.slice(from).find(match)!;
  }

  async waitForJson(match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    await this.until(() => this.frames.some(match), 'a matching JSON frame');
    return this.frames.find(match)!;
  }

  waitForClose(): Promise<void> {
    return this.until(() => this.closedFlag, 'the server to close the connection');
  }

  /** Resolves when `condition` holds; rejects after WAIT_MS with the lines received so far. */
  until(condition: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        const recent = this.lines.slice(-20).map((line) => (line.length > 200 ? `${line.slice(0, 200)}…` : line));
        reject(new Error(`timed out waiting for ${what}; received ${this.lines.length} lines, the last:\n${recent.join('\n')}`));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Polls `condition` until it holds (for state that no socket event announces, such as a log line). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
