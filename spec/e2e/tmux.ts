import { execFileSync } from 'child_process';

/** How long to wait for the terminal to show something before failing with what it does show. */
export const SCREEN_WAIT_MS = 20_000;

/** How often the pane is captured while waiting. */
const POLL_MS = 50;

/** The shell prompt in the test terminal, unlike any line the chat prints. */
export const PROMPT = 'e2e$ ';

/**
 * A real terminal for end-to-end tests: a detached tmux session of a fixed size, driven with
 * `send-keys` and read with `capture-pane`. Each test suite uses its own tmux server (`-L`), so the
 * sessions get this process's environment and never touch a tmux the developer is running.
 */
export class TmuxTerminal {
  private constructor(
    private readonly socketName: string,
    readonly session: string,
  ) {}

  /** Starts `bash` without rc files in a `width`×`height` session whose prompt is `PROMPT`. */
  static start(socketName: string, session: string, cwd: string, width = 120, height = 40): TmuxTerminal {
    const terminal = new TmuxTerminal(socketName, session);
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
      this.tmux('kill-session', '-t', this.session);
    } catch {
      // Already gone: the shell exited or the server was stopped.
    }
  }

  /** Stops the suite's tmux server and everything still running in it. */
  static killServer(socketName: string): void {
    try {
      execFileSync('tmux', ['-L', socketName, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // No server was running.
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-u', '-L', this.socketName, ...args], { encoding: 'utf8' });
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
