import { Subscription } from 'rxjs';
import { ChatClient, ChatClientError, ChatCommand } from './chat-client';
import { readInputLine } from './input-line';
import { DEFAULT_SCROLLBACK_LINES, WHEEL_SCROLL_LINES } from './limits';
import { createEditorState, EditorAction, EditorState, editLine, submitLine } from './line-editor';
import { ChatView, KeyPress } from './view';
import { buildFrame, createViewState, reduceView, ViewAction, ViewState } from './view-model';

export interface ChatUiOptions {
  /** A client that has connected. */
  readonly client: ChatClient;
  readonly view: ChatView;
  /** The name to ask for at once; without it the user is asked to type one. */
  readonly name?: string;
  /** Lines of chat kept for scrolling back. */
  readonly scrollback?: number;
  /** Clock for the timestamps of local notices. */
  readonly now?: () => number;
}

export interface ChatUi {
  /** Resolves once the user has quit and the terminal is restored. */
  readonly done: Promise<void>;
  /** Quits as `/quit` does: says goodbye, restores the terminal. For signals such as SIGHUP. */
  quit(): Promise<void>;
}

/** Editing keys, by blessed key name (`C-` prefix for Ctrl). */
const EDITING_KEYS: Record<string, EditorAction['type']> = {
  backspace: 'backspace',
  delete: 'delete',
  left: 'left',
  right: 'right',
  home: 'home',
  end: 'end',
  'C-a': 'home',
  'C-e': 'end',
  'C-b': 'left',
  'C-f': 'right',
  'C-h': 'backspace',
  'C-u': 'kill-before',
  'C-k': 'kill-after',
  'C-w': 'kill-word',
  up: 'history-previous',
  down: 'history-next',
  'C-p': 'history-previous',
  'C-n': 'history-next',
};

const INTRO =
  'Enter sends. /help lists the commands (/join #room, /msg name text, ...). Up/Down recall what you typed, PgUp/PgDn or the mouse wheel scroll, Esc jumps to the newest line, /quit or Ctrl+C leaves.';

/**
 * The terminal UI's controller: feeds client events and keys into the pure view model and line
 * editor, turns submitted lines into client calls, and draws the result, at most once per event-loop
 * turn however many events arrive in it.
 */
export function startChatUi(options: ChatUiOptions): ChatUi {
  const { client, view, name, scrollback = DEFAULT_SCROLLBACK_LINES, now = Date.now } = options;
  let state: ViewState = createViewState(client.address, scrollback, view.messageRows());
  let editor: EditorState = createEditorState();
  let renderScheduled = false;
  let quitting: Promise<void> | undefined;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const subscriptions = new Subscription();

  function dispatch(action: ViewAction): void {
    state = reduceView(state, action);
    scheduleRender();
  }

  function notice(text: string, level: 'info' | 'error' = 'info'): void {
    dispatch({ type: 'notice', level, text, now: now() });
  }

  function scheduleRender(): void {
    if (renderScheduled) return;
    renderScheduled = true;
    setImmediate(() => {
      renderScheduled = false;
      if (!quitting) view.render(buildFrame(state, editor, view.frameSize(), (ch) => view.charWidth(ch)));
    });
  }

  function edit(action: EditorAction): void {
    editor = editLine(editor, action);
    scheduleRender();
  }

  function onKey(key: KeyPress): void {
    const full = `${key.ctrl ? 'C-' : ''}${key.meta ? 'M-' : ''}${key.name ?? ''}`;
    if (full === 'C-c' || (full === 'C-d' && editor.chars.length === 0)) {
      void quit();
      return;
    }
    switch (full) {
      case 'enter':
        submit();
        return;
      case 'pageup':
        dispatch({ type: 'page', direction: 1 });
        return;
      case 'pagedown':
        dispatch({ type: 'page', direction: -1 });
        return;
      case 'wheelup':
        dispatch({ type: 'scroll', lines: WHEEL_SCROLL_LINES });
        return;
      case 'wheeldown':
        dispatch({ type: 'scroll', lines: -WHEEL_SCROLL_LINES });
        return;
      case 'escape':
        dispatch({ type: 'bottom' });
        return;
    }
    const editing = EDITING_KEYS[full];
    if (editing) edit({ type: editing } as EditorAction);
    else if (key.ch !== undefined && !key.ctrl && !key.meta && key.name !== 'return') edit({ type: 'insert', text: key.ch });
  }

  function submit(): void {
    const submitted = submitLine(editor);
    editor = submitted.state;
    scheduleRender();
    const line = submitted.line;
    const input = readInputLine(line);
    if (input === null) return;
    if (input.kind === 'quit') {
      void quit();
      return;
    }
    // Jumping back to the newest line on Enter is what chat users expect: they want to see their line.
    dispatch({ type: 'bottom' });
    if (state.connection.status === 'connected') register(line.trim(), line);
    else sendLine(line);
  }

  /** A line typed after choosing a name: a message, or a command. */
  function sendLine(line: string): void {
    const input = readInputLine(line);
    if (input === null || input.kind === 'quit') return;
    if (input.kind === 'invalid') notice(input.message, 'error');
    else send(input.command);
  }

  function register(requested: string, line: string): void {
    client.register(requested).catch((err: ChatClientError) => {
      if (err.code === 'register_pending') {
        // Our name is being asked for again after a reconnect: what was typed is for the chat.
        sendLine(line);
      } else if (err.code === 'name_taken' || err.code === 'name_invalid') {
        // The server's explanation is already on screen as an error line.
        notice('Type another name and press Enter.');
      } else if (err.code !== 'closed') {
        notice(err.message, 'error');
      }
    });
  }

  function send(command: ChatCommand): void {
    const result = client.send(command);
    if (result === 'queued' && state.connection.status !== 'registered') {
      notice('Not connected right now: your message will be sent when the connection is back.');
    }
    else if (result === 'dropped') notice('Not sent: there is no connection to the chat right now.', 'error');
  }

  function quit(): Promise<void> {
    quitting ??= client
      .quit()
      .catch(() => undefined)
      .then(() => {
        subscriptions.unsubscribe();
        view.destroy();
        finished();
      });
    return quitting;
  }

  dispatch({ type: 'event', event: { type: 'connection', state: client.state }, now: now() });
  subscriptions.add(
    client.events$.subscribe({
      next: (event) => dispatch({ type: 'event', event, now: now() }),
      // The client only completes once it is closed for good; there is nothing left to show.
      complete: () => void quit(),
    }),
  );
  subscriptions.add(view.keys$.subscribe(onKey));
  subscriptions.add(view.resize$.subscribe(() => dispatch({ type: 'resize', rows: view.messageRows() })));

  notice(`Connected to ${client.address}${client.secure ? ' with TLS' : ''}. ${INTRO}`);
  if (name !== undefined) register(name, name);
  else if (client.name === undefined) notice('Type your name and press Enter.');

  return { done, quit };
}
