import { List } from 'immutable';
import { LeaveReason } from '../protocol/frames';
import { ClientEvent, ConnectionState } from './chat-client';
import { displayText, escapeTags } from './display-text';
import { DEFAULT_SCROLLBACK_LINES } from './limits';
import { EditorState, inputWindow } from './line-editor';
import { nameColour } from './name-colour';
import { applyToUsers } from './users';

/**
 * What the terminal UI shows, as a pure state and reducer, and the functions that turn it into the
 * tagged text the view hands to blessed. Nothing here touches a terminal, so all of it is unit-tested.
 *
 * Remote text is cleaned once, when a line is stored (`displayText`), and its blessed tags are escaped
 * when it is rendered (`escapeTags`): the only tags in the output are the ones written in this file.
 */

/** One line of the message pane. `text` and `from` are already cleaned for display. */
export type ChatLine =
  | { readonly kind: 'message'; readonly ts: number; readonly from: string; readonly text: string }
  | { readonly kind: 'joined' | 'left'; readonly ts: number; readonly name: string; readonly text: string }
  | { readonly kind: 'info' | 'error'; readonly ts: number; readonly text: string };

export interface ViewState {
  /** `host:port` of the server. */
  readonly server: string;
  /** The name we are in the room under, while registered. */
  readonly me: string | undefined;
  readonly connection: ConnectionState;
  readonly users: readonly string[];
  /** The scrollback, oldest first, at most `scrollback` lines. */
  readonly lines: List<ChatLine>;
  readonly scrollback: number;
  /** Height of the message pane in rows, as last reported by the view. */
  readonly rows: number;
  /** Lines hidden below the bottom of the pane; 0 means the view follows new lines. */
  readonly scrollOffset: number;
  /** Lines that arrived while scrolled up and have not been seen yet. */
  readonly unread: number;
}

export type ViewAction =
  | { readonly type: 'event'; readonly event: ClientEvent; readonly now: number }
  | { readonly type: 'notice'; readonly level: 'info' | 'error'; readonly text: string; readonly now: number }
  /** Positive scrolls back (older), negative forward. */
  | { readonly type: 'scroll'; readonly lines: number }
  | { readonly type: 'page'; readonly direction: 1 | -1 }
  | { readonly type: 'bottom' }
  | { readonly type: 'resize'; readonly rows: number };

export function createViewState(server: string, scrollback = DEFAULT_SCROLLBACK_LINES, rows = 20): ViewState {
  return {
    server,
    me: undefined,
    connection: { status: 'idle' },
    users: [],
    lines: List(),
    scrollback: Math.max(1, scrollback),
    rows: Math.max(1, rows),
    scrollOffset: 0,
    unread: 0,
  };
}

const LEAVE_REASONS: Record<LeaveReason, string> = {
  quit: 'left the chat',
  disconnect: 'left the chat (connection lost)',
  error: 'left the chat (connection error)',
  shutdown: 'left the chat (server shutting down)',
  too_slow: 'left the chat (too slow to keep up)',
  flood: 'left the chat (flooding)',
  timeout: 'left the chat (timed out)',
};

export function reduceView(state: ViewState, action: ViewAction): ViewState {
  switch (action.type) {
    case 'event':
      return onEvent(state, action.event, action.now);
    case 'notice':
      return addLines(state, [{ kind: action.level, ts: action.now, text: displayText(action.text) }]);
    case 'scroll':
      return scrollTo(state, state.scrollOffset + action.lines);
    case 'page':
      return scrollTo(state, state.scrollOffset + action.direction * Math.max(1, state.rows - 1));
    case 'bottom':
      return scrollTo(state, 0);
    case 'resize': {
      const rows = Math.max(1, action.rows);
      return rows === state.rows ? state : scrollTo({ ...state, rows }, state.scrollOffset);
    }
  }
}

function onEvent(state: ViewState, event: ClientEvent, ts: number): ViewState {
  switch (event.type) {
    case 'welcome': {
      const count = event.users.length === 1 ? 'You are the only one here' : `${event.users.length} users online`;
      return addLines(
        { ...state, me: event.name, users: applyToUsers(state.users, event) },
        [{ kind: 'info', ts, text: displayText(`Welcome, ${event.name}! ${count}. Type /quit to leave.`) }],
      );
    }
    case 'error':
      return addLines(state, [{ kind: 'error', ts, text: displayText(event.message) }]);
    case 'joined':
      return addLines({ ...state, users: applyToUsers(state.users, event) }, [
        { kind: 'joined', ts: event.ts, name: displayText(event.name), text: 'joined the chat' },
      ]);
    case 'left':
      return addLines({ ...state, users: applyToUsers(state.users, event) }, [
        { kind: 'left', ts: event.ts, name: displayText(event.name), text: LEAVE_REASONS[event.reason] },
      ]);
    case 'message':
      return addLines(state, [{ kind: 'message', ts: event.ts, from: displayText(event.from), text: displayText(event.text) }]);
    case 'bye':
      return addLines(state, [{ kind: 'info', ts, text: displayText(event.message) }]);
    case 'gap': {
      const missed = event.missed === 1 ? '1 message was' : `${event.missed} messages were`;
      return addLines(state, [{ kind: 'error', ts, text: `${missed} dropped because this connection could not keep up.` }]);
    }
    case 'connection':
      return onConnection(state, event.state, ts);
  }
}

function onConnection(state: ViewState, connection: ConnectionState, ts: number): ViewState {
  const previous = state.connection.status;
  const next: ViewState = {
    ...state,
    connection,
    me: connection.status === 'registered' ? connection.name : undefined,
    users: connection.status === 'registered' || connection.status === 'connected' ? state.users : [],
  };
  // A lost connection is told once when it happens, not on every retry: the status line counts those.
  if (connection.status === 'reconnecting' && (previous === 'connected' || previous === 'registered')) {
    return addLines(next, [{ kind: 'error', ts, text: displayText(`Connection lost: ${sentence(connection.reason)} Reconnecting…`) }]);
  }
  if (connection.status === 'connected' && (previous === 'reconnecting' || previous === 'connecting') && state.lines.size > 0) {
    return addLines(next, [{ kind: 'info', ts, text: 'Connected again.' }]);
  }
  return next;
}

/** Ends `text` with a full stop unless it already ends a sentence (the server's goodbyes do). */
function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/**
 * Appends lines, dropping the oldest past the scrollback limit. While the user is scrolled back, the
 * view stays where it is (the offset grows with the new lines) and the new lines count as unread.
 */
function addLines(state: ViewState, added: readonly ChatLine[]): ViewState {
  let lines = state.lines.push(...added);
  if (lines.size > state.scrollback) lines = lines.skip(lines.size - state.scrollback).toList();
  const following = state.scrollOffset === 0;
  return scrollTo(
    { ...state, lines, unread: following ? 0 : state.unread + added.length },
    following ? 0 : state.scrollOffset + added.length,
  );
}

/** The largest scroll offset: the oldest line at the top of the pane. */
function maxOffset(state: ViewState): number {
  return Math.max(0, state.lines.size - state.rows);
}

function scrollTo(state: ViewState, offset: number): ViewState {
  const scrollOffset = Math.min(Math.max(0, offset), maxOffset(state));
  return { ...state, scrollOffset, unread: scrollOffset === 0 ? 0 : Math.min(state.unread, scrollOffset) };
}

// ---------------------------------------------------------------------------------------------------
// Rendering: state → tagged text. Only the tags written below ever reach blessed.

/** A piece of text and how it looks; `text` is plain (tags are escaped when rendered). */
export interface Segment {
  readonly text: string;
  readonly fg?: string;
  readonly bg?: string;
  readonly bold?: boolean;
  readonly inverse?: boolean;
}

/** Blessed markup for segments: every piece of text escaped, every style opened and closed. */
export function toTagged(segments: readonly Segment[]): string {
  return segments
    .map(({ text, fg, bg, bold, inverse }) => {
      const open = `${fg ? `{${fg}-fg}` : ''}${bg ? `{${bg}-bg}` : ''}${bold ? '{bold}' : ''}${inverse ? '{inverse}' : ''}`;
      return open === '' ? escapeTags(text) : `${open}${escapeTags(text)}{/}`;
    })
    .join('');
}

/** `HH:MM` in local time. */
export function formatTime(ts: number): string {
  const date = new Date(ts);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

const TIME_COLOUR = 'gray';
const NOTICE_COLOUR = 'gray';
const ERROR_COLOUR = 'red';

/**
 * True when `text` mentions `name` as a whole word, ignoring case: `@bob` and `bob,` do, `bobby` does
 * not.
 */
export function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}(?=$|[^\\p{L}\\p{N}_])`, 'iu').test(text);
}

/** The segments of one line. `me` marks our own messages and mentions of our name. */
export function lineSegments(line: ChatLine, me: string | undefined): Segment[] {
  const time: Segment = { text: `${formatTime(line.ts)} `, fg: TIME_COLOUR };
  switch (line.kind) {
    case 'message': {
      const own = me !== undefined && line.from === me;
      const mentioned = !own && me !== undefined && mentions(line.text, me);
      return [
        time,
        { text: line.from, fg: nameColour(line.from), bold: own || mentioned },
        { text: ': ' },
        mentioned ? { text: line.text, fg: 'black', bg: 'yellow' } : own ? { text: line.text, bold: true } : { text: line.text },
      ];
    }
    case 'joined':
    case 'left':
      return [
        time,
        { text: line.kind === 'joined' ? '--> ' : '<-- ', fg: line.kind === 'joined' ? 'green' : NOTICE_COLOUR },
        { text: line.name, fg: nameColour(line.name) },
        { text: ` ${line.text}`, fg: NOTICE_COLOUR },
      ];
    case 'info':
      return [time, { text: `*** ${line.text}`, fg: NOTICE_COLOUR }];
    case 'error':
      return [time, { text: `*** ${line.text}`, fg: ERROR_COLOUR, bold: true }];
  }
}

export function renderLine(line: ChatLine, me: string | undefined): string {
  return toTagged(lineSegments(line, me));
}

/** The lines that fill the pane at the current scroll position, oldest first. */
export function visibleLines(state: ViewState): ChatLine[] {
  const end = state.lines.size - state.scrollOffset;
  return state.lines.slice(Math.max(0, end - state.rows), end).toArray();
}

function connectionSegments(connection: ConnectionState): Segment[] {
  switch (connection.status) {
    case 'idle':
    case 'connecting':
      return [{ text: '● connecting…', fg: 'yellow' }];
    case 'connected':
      return [{ text: '● connected, choose a name', fg: 'yellow' }];
    case 'registered':
      return [{ text: '● online', fg: 'green' }];
    case 'reconnecting':
      return [
        { text: `● disconnected: ${displayText(connection.reason)}; retrying in ${Math.ceil(connection.delayMs / 1000)}s`, fg: 'red', bold: true },
      ];
    case 'closed':
      return [{ text: `● closed`, fg: 'red' }];
  }
}

/** The status line: connection state, server, name, users online, and unread lines when scrolled back. */
export function statusSegments(state: ViewState): Segment[] {
  const separator: Segment = { text: ' | ' };
  const segments: Segment[] = [{ text: ' ' }, ...connectionSegments(state.connection), separator, { text: state.server }];
  if (state.me !== undefined) segments.push(separator, { text: displayText(state.me), bold: true });
  if (state.connection.status === 'registered') segments.push(separator, { text: `${state.users.length} online` });
  if (state.scrollOffset > 0) {
    segments.push(separator, {
      text: state.unread > 0 ? `↓ ${state.unread} new (PgDn)` : `scrolled back ${state.scrollOffset} (PgDn)`,
      bold: state.unread > 0,
    });
  }
  return segments;
}

/** The users pane: one name per line, in its colour, ours in bold; "+N more" when they do not fit. */
export function userListSegments(state: ViewState, rows: number): Segment[][] {
  const fits = state.users.length <= rows ? state.users.length : Math.max(0, rows - 1);
  const shown = state.users.slice(0, fits).map((user): Segment[] => [
    { text: displayText(user), fg: nameColour(user), bold: user === state.me },
  ]);
  if (fits < state.users.length) shown.push([{ text: `+${state.users.length - fits} more`, fg: NOTICE_COLOUR }]);
  return shown;
}

/** The input line: a prompt saying what Enter will do, then the visible part of the text and the cursor. */
export function inputSegments(
  state: ViewState,
  editor: EditorState,
  width: number,
  charWidth: (ch: string) => number,
): Segment[] {
  const prompt = state.me === undefined ? 'name> ' : '> ';
  const window = inputWindow(editor, Math.max(1, width - prompt.length), charWidth);
  return [
    { text: prompt, fg: state.me === undefined ? 'yellow' : 'cyan', bold: true },
    { text: window.before },
    { text: window.atCursor, inverse: true },
    { text: window.after },
  ];
}

/** Everything the view draws in one render. */
export interface Frame {
  readonly status: string;
  /** The visible lines, one per text line. */
  readonly messages: string;
  /** Show the start of `messages` rather than its end: the user scrolled to the oldest line. */
  readonly alignTop: boolean;
  readonly usersLabel: string;
  readonly users: string;
  readonly input: string;
}

export interface FrameSize {
  readonly inputWidth: number;
  readonly userRows: number;
}

export function buildFrame(state: ViewState, editor: EditorState, size: FrameSize, charWidth: (ch: string) => number): Frame {
  return {
    status: toTagged(statusSegments(state)),
    messages: visibleLines(state)
      .map((line) => renderLine(line, state.me))
      .join('\n'),
    alignTop: state.scrollOffset > 0 && state.scrollOffset >= maxOffset(state),
    usersLabel: ` Online (${state.users.length}) `,
    users: userListSegments(state, size.userRows)
      .map((segments) => toTagged(segments))
      .join('\n'),
    input: toTagged(inputSegments(state, editor, size.inputWidth, charWidth)),
  };
}
