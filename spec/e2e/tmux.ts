import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** How long to wait for the terminal to show something before failing with what it does show. */
export const SCREEN_WAIT_MS = 20_000;

/** How often the pane is captured while waiting. */
const POLL_MS = 50;

/** The shell prompt in the test terminal, unlike any line the chat prints. */
export const PROMPT = 'e2e$ ';

/**
 * A real terminal for end-to-end tests: a detached tmux session of a fixed size, driven with
 * `send-keys` and read with `capture-pane`. Sessions run on a `TmuxServer` of their own.
 */
export class TmuxTerminal {
  private constructor(
    private readonly server: TmuxServer,
    readonly session: string,
  ) {}

  /** Starts `bash` without rc files in a `width`×`height` session whose prompt is `PROMPT`. */
  static start(server: TmuxServer, session: string, cwd: string, width = 120, height = 40): TmuxTerminal {
    const terminal = new TmuxTerminal(server, session);
    terminal.tmux(
      'new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), '-c', cwd,
      `env LANG=C.UTF-8 LC_ALL=C.UTF-8 PS1='${PROMPT}' bash --norc --noprofile`,
    );
    return terminal;
  }

  /** Types `text` literally (no key names are interpreted), then Enter if asked. */
  type(text: string, enter = true): void {
    if (text.length > 0) this.tmux('send-keys', '-t', this.session, '-l', text);
    if (enter) this.keys('Enter');
  }

  /** Presses keys by tmux name: `Enter`, `C-c`, `PageUp`, ... */
  keys(...names: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...names);
  }

  /** The visible screen as text, one line per row. */
  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  /** The visible screen with its colours and attributes, as SGR escape sequences. */
  captureWithAttributes(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', this.session);
  }

  /** Polls the screen until `condition` holds; fails with the screen as it was at the deadline. */
  async waitFor(condition: (screen: string) => boolean, what: string, timeoutMs = SCREEN_WAIT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture();
      if (condition(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen shows:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Waits for `text` on screen. capture-pane drops trailing spaces, so `text`'s are ignored too. */
  waitForText(text: string, timeoutMs?: number): Promise<string> {
    const shown = text.trimEnd();
    return this.waitFor((screen) => screen.includes(shown), JSON.stringify(shown), timeoutMs);
  }

  kill(): void {
    try {
      // Quietly: when this was the last session, tmux has exited and says so on stderr.
      this.server.run({ quiet: true }, 'kill-session', '-t', this.session);
    } catch {
      // Already gone: the shell exited or the server was stopped.
    }
  }

  private tmux(...args: string[]): string {
    return this.server.run(...args);
  }
}

/**
 * A tmux server for one test suite, on a socket in a fresh temporary directory: its sessions get this
 * process's environment, it never touches a tmux the developer is running, and `stop` leaves nothing.
 */
export class TmuxServer {
  private readonly directory = mkdtempSync(join(tmpdir(), 'chat-e2e-'));
  private readonly socket = join(this.directory, 'tmux.sock');

  run(...args: string[]): string;
  run(options: { quiet: boolean }, ...args: string[]): string;
  run(...args: Array<string | { quiet: boolean }>): string {
    const quiet = typeof args[0] === 'object' && args[0].quiet;
    const rest = args.filter((arg): arg is string => typeof arg === 'string');
    return execFileSync('tmux', ['-u', '-S', this.socket, ...rest], { encoding: 'utf8', stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'] });
  }

  /** Stops the server and everything still running in it, and removes its socket. */
  stop(): void {
    try {
      execFileSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // No server was running.
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** tmux must be installed for the end-to-end tests (CI installs it); say so plainly if it is not. */
export function requireTmux(): void {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
  } catch {
    throw new Error('the end-to-end tests need tmux: install it (apt-get install tmux)');
  }
}
