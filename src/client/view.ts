import blessed from 'blessed';
import { Observable, Subject } from 'rxjs';
import { Frame, FrameSize } from './view-model';

/**
 * The terminal, drawn with blessed. This is the only module that imports blessed: it lays out the
 * widgets, draws the frames the view model computes, and reports keys and resizes. It decides nothing.
 *
 * Blessed traps avoided here:
 * - every piece of remote text in a frame has had its tags escaped and its controls made visible by
 *   the view model, so `tags: true` only ever sees our own tags;
 * - no Log widget: its scrollback is unbounded and it re-parses everything on each line; the message
 *   pane is a plain box given only the lines that fit on screen;
 * - `fullUnicode` so wide and emoji characters take the two cells they need;
 * - the hardware cursor is hidden and drawn as an inverse cell by the view model, which keeps it right
 *   next to wide characters where blessed's own cursor tracking drifts.
 */

/** A key as the rest of the client sees it, without blessed's types. */
export interface KeyPress {
  /** `enter`, `backspace`, `up`, `pageup`, a letter, ... or `wheelup`/`wheeldown` for the mouse. */
  readonly name: string | undefined;
  /** The character typed, for printable keys. */
  readonly ch: string | undefined;
  readonly ctrl: boolean;
  readonly meta: boolean;
}

export interface ChatView {
  readonly keys$: Observable<KeyPress>;
  /** Emits after the terminal was resized. */
  readonly resize$: Observable<void>;
  /** Rows of the message pane. */
  messageRows(): number;
  frameSize(): FrameSize;
  /** Width in cells of one code point. */
  charWidth(ch: string): number;
  render(frame: Frame): void;
  /** Restores the terminal: normal screen, cursor, cooked mode. */
  destroy(): void;
}

export interface ChatViewOptions {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  readonly title?: string;
}

/** blessed's East-Asian-width table; it exists at runtime but @types/blessed does not declare it. */
const unicode = (blessed as unknown as { unicode: { charWidth(text: string, index?: number): number } }).unicode;

/** Width of the users pane, border included. */
const USERS_PANE_WIDTH = 24;

/** Below this terminal width the users pane is hidden so the messages keep enough room. */
const USERS_PANE_MIN_SCREEN_WIDTH = 60;

/** Rows below the message pane: the status line and the input line. */
const BOTTOM_ROWS = 2;

export function createChatView(options: ChatViewOptions = {}): ChatView {
  const screen = blessed.screen({
    // @types/blessed has these two types swapped (input as Writable, output as Readable).
    input: options.input as unknown as blessed.Widgets.IScreenOptions['input'],
    output: options.output as unknown as blessed.Widgets.IScreenOptions['output'],
    smartCSR: true,
    fullUnicode: true,
    dockBorders: true,
    autoPadding: true,
    warnings: false,
    title: options.title ?? 'chat',
  });
  const keys$ = new Subject<KeyPress>();
  const resize$ = new Subject<void>();

  const messages = blessed.box({
    parent: screen,
    top: 0,
    left: 0,
    right: USERS_PANE_WIDTH,
    bottom: BOTTOM_ROWS,
    tags: true,
    wrap: true,
    scrollable: true,
  });
  const users = blessed.box({
    parent: screen,
    top: 0,
    right: 0,
    width: USERS_PANE_WIDTH,
    bottom: BOTTOM_ROWS,
    tags: true,
    wrap: false,
    padding: { left: 1 },
    border: { type: 'line' },
    style: { border: { fg: 'gray' } },
  });
  const status = blessed.box({
    parent: screen,
    bottom: 1,
    left: 0,
    right: 0,
    height: 1,
    tags: true,
    wrap: false,
    style: { bg: 'blue', fg: 'white' },
  });
  const input = blessed.box({ parent: screen, bottom: 0, left: 0, right: 0, height: 1, tags: true, wrap: false });

  function layout(): void {
    const showUsers = (screen.width as number) >= USERS_PANE_MIN_SCREEN_WIDTH;
    if (showUsers) users.show();
    else users.hide();
    messages.right = showUsers ? USERS_PANE_WIDTH : 0;
  }
  layout();

  screen.program.hideCursor();
  screen.on('keypress', function onKeypress(ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg | undefined) {
    keys$.next({ name: key?.name, ch, ctrl: key?.ctrl ?? false, meta: key?.meta ?? false });
  });
  // Wheel events need mouse reporting, which only the message pane asks for.
  messages.enableMouse();
  messages.on('wheelup', () => keys$.next({ name: 'wheelup', ch: undefined, ctrl: false, meta: false }));
  messages.on('wheeldown', () => keys$.next({ name: 'wheeldown', ch: undefined, ctrl: false, meta: false }));
  screen.on('resize', function onResize() {
    layout();
    resize$.next();
  });

  let destroyed = false;

  return {
    keys$: keys$.asObservable(),
    resize$: resize$.asObservable(),

    messageRows() {
      return Math.max(1, (screen.height as number) - BOTTOM_ROWS);
    },

    frameSize() {
      return {
        inputWidth: Math.max(1, (screen.width as number) - 1),
        userRows: Math.max(1, (screen.height as number) - BOTTOM_ROWS - 2),
      };
    },

    charWidth(ch: string) {
      return unicode.charWidth(ch, 0);
    },

    render(frame: Frame) {
      if (destroyed) return;
      messages.setContent(frame.messages);
      if (frame.alignTop) messages.setScroll(0);
      else messages.setScrollPerc(100);
      users.setLabel(frame.usersLabel);
      users.setContent(frame.users);
      status.setContent(frame.status);
      input.setContent(frame.input);
      screen.render();
    },

    destroy() {
      if (destroyed) return;
      destroyed = true;
      keys$.complete();
      resize$.complete();
      screen.destroy();
    },
  };
}
