import { List } from 'immutable';
import { LeaveReason } from '../protocol/frames';
import { encodeTextLine, NOTICE_PREFIX } from '../protocol/text-codec';
import { ChatEvent, ClientEvent, ConnectionState } from './chat-client';
import { displayText, escapeTags, inertEvent } from './display-text';
import { DEFAULT_SCROLLBACK_LINES } from './limits';
import { EditorState, inputWindow } from './line-editor';
import { nameColour } from './name-colour';
import { applyToRooms, currentRoom, NO_ROOMS, RoomsState } from './rooms';

/**
 * What the terminal UI shows, as a pure state and reducer, and the functions that turn it into the
 * tagged text the view hands to blessed. Nothing here touches a terminal, so all of it is unit-tested.
 *
 * Remote text is cleaned once, when a line is stored (`displayText`), and its blessed tags are escaped
 * when it is rendered (`escapeTags`): the only tags in the output are the ones written in this file.
 */

/** One line of the message pane. Every string in it is already cleaned for display. */
export type ChatLine =
  | {
      readonly kind: 'message';
      readonly ts: number;
      readonly from: string;
      readonly text: string;
      /** The room, when it was not the current room as the message arrived. */
      readonly room?: string;
      readonly action?: boolean;
      /** Replayed to us as a newcomer to the room. */
      readonly history?: boolean;
    }
  | { readonly kind: 'private'; readonly ts: number; readonly from: string; readonly to: string; readonly text: string }
  | { readonly kind: 'joined' | 'left'; readonly ts: number; readonly name: string; readonly text: string }
  | { readonly kind: 'info' | 'error'; readonly ts: number; readonly text: string };

export interface ViewState {
  /** `host:port` of the server. */
  readonly server: string;
  /** The name we are in the chat under, while registered. */
  readonly me: string | undefined;
  readonly connection: ConnectionState;
  /** The rooms we are in and the current one. */
  readonly rooms: RoomsState;
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
    rooms: NO_ROOMS,
    lines: List(),
    scrollback: Math.max(1, scrollback),
    rows: Math.max(1, rows),
    scrollOffset: 0,
    unread: 0,
  };
}

const LEFT_THE_CHAT: Record<Exclude<LeaveReason, 'part'>, string> = {
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
      return action.event.type === 'connection'
        ? onConnection(state, action.event.state, action.now)
        : onEvent(state, action.event, action.now);
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

function onEvent(state: ViewState, event: ChatEvent, ts: number): ViewState {
  // Lines are written against the rooms as they were when the event arrived: a message is marked with
  // its room when that was not the current room then, whatever the current room is later.
  const current = state.rooms.current;
  const next: ViewState = { ...state, rooms: applyToRooms(state.rooms, event) };
  switch (event.type) {
    case 'message':
      return addLines(next, [
        {
          kind: 'message',
          ts: event.ts,
          from: displayText(event.from),
          text: displayText(event.text),
          ...(event.room === current ? {} : { room: displayText(event.room) }),
          ...(event.action ? { action: true } : {}),
          ...(event.history ? { history: true } : {}),
        },
      ]);
    case 'private':
      return addLines(next, [
        { kind: 'private', ts: event.ts, from: displayText(event.from), to: displayText(event.to), text: displayText(event.text) },
      ]);
    case 'joined':
      return addLines(next, [{ kind: 'joined', ts: event.ts, name: displayText(event.name), text: `joined ${displayText(event.room)}` }]);
    case 'left':
      return addLines(next, [
        {
          kind: 'left',
          ts: event.ts,
          name: displayText(event.name),
          text: event.reason === 'part' ? `left ${displayText(event.room ?? '')}`.trimEnd() : LEFT_THE_CHAT[event.reason],
        },
      ]);
    case 'welcome':
      return addLines({ ...next, me: event.name }, noticeLines(event, current, ts, 'info'));
    case 'nick':
      return addLines(event.old === state.me ? { ...next, me: event.name } : next, noticeLines(event, current, ts, 'info'));
    case 'error':
    case 'gap':
      return addLines(next, noticeLines(event, current, ts, 'error'));
    case 'status':
      return addLines(next, noticeLines(event, current, ts, event.degraded ? 'error' : 'info'));
    case 'entered':
    case 'parted':
    case 'rooms':
    case 'names':
    case 'help':
    case 'bye':
      return addLines(next, noticeLines(event, current, ts, 'info'));
  }
}

/**
 * Notices read the same as they do for a netcat user: the text codec writes them, from the event
 * with its text made inert, and the `*** ` it starts each line with becomes our own notice style.
 */
function noticeLines(event: ChatEvent, current: string | null, ts: number, kind: 'info' | 'error'): ChatLine[] {
  return encodeTextLine(inertEvent(event), current)
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => ({ kind, ts, text: line.startsWith(NOTICE_PREFIX) ? line.slice(NOTICE_PREFIX.length) : line }));
}

function onConnection(state: ViewState, connection: ConnectionState, ts: number): ViewState {
  const previous = state.connection.status;
  const registered = connection.status === 'registered';
  const next: ViewState = {
    ...state,
    connection,
    me: registered ? connection.name : undefined,
    rooms: registered || connection.status === 'connected' ? state.rooms : NO_ROOMS,
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
const PRIVATE_COLOUR = 'magenta';

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
      const name: Segment = { text: line.from, fg: nameColour(line.from), bold: own || mentioned };
      const text: Segment = line.history
        ? { text: line.text, fg: NOTICE_COLOUR }
        : mentioned
          ? { text: line.text, fg: 'black', bg: 'yellow' }
          : own
            ? { text: line.text, bold: true }
            : { text: line.text };
      return [
        time,
        ...(line.room === undefined ? [] : [{ text: `[${line.room}] `, fg: NOTICE_COLOUR }]),
        ...(line.history ? [{ text: '[history] ', fg: NOTICE_COLOUR }] : []),
        ...(line.action ? [{ text: '* ' }, name, { text: ' ' }, text] : [name, { text: ': ' }, text]),
      ];
    }
    case 'private': {
      const received = me !== undefined && line.to === me && line.from !== me;
      const text: Segment = { text: line.text, fg: PRIVATE_COLOUR, bold: received };
      return [
        time,
        { text: '[private] ', fg: PRIVATE_COLOUR, bold: true },
        { text: line.from, fg: nameColour(line.from) },
        { text: ' -> ' },
        { text: line.to, fg: nameColour(line.to) },
        { text: ': ' },
        text,
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

/** The status line: connection state, server, name, current room and its size, unread lines when scrolled back. */
export function statusSegments(state: ViewState): Segment[] {
  const separator: Segment = { text: ' | ' };
  const segments: Segment[] = [{ text: ' ' }, ...connectionSegments(state.connection), separator, { text: state.server }];
  if (state.me !== undefined) segments.push(separator, { text: displayText(state.me), bold: true });
  if (state.connection.status === 'registered') {
    const room = currentRoom(state.rooms);
    segments.push(separator, { text: room ? `${displayText(room.room)} (${room.count})` : 'in no room: /join #room' });
  }
  if (state.scrollOffset > 0) {
    segments.push(separator, {
      text: state.unread > 0 ? `↓ ${state.unread} new (PgDn)` : `scrolled back ${state.scrollOffset} (PgDn)`,
      bold: state.unread > 0,
    });
  }
  return segments;
}

/**
 * The users pane: who is in the current room, one per line, in their colours, ours in bold, and
 * "+N more" when they do not fit. A quiet room (too big to announce) shows its size instead.
 */
export function userListSegments(state: ViewState, rows: number): Segment[][] {
  const room = currentRoom(state.rooms);
  if (!room) return [];
  if (room.users.length < room.count) {
    return [[{ text: `${room.count} users`, fg: NOTICE_COLOUR }], [{ text: '/names lists them', fg: NOTICE_COLOUR }]];
  }
  const fits = room.users.length <= rows ? room.users.length : Math.max(0, rows - 1);
  const shown = room.users.slice(0, fits).map((user): Segment[] => [
    { text: displayText(user), fg: nameColour(user), bold: user === state.me },
  ]);
  if (fits < room.users.length) shown.push([{ text: `+${room.users.length - fits} more`, fg: NOTICE_COLOUR }]);
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

function usersLabel(state: ViewState): string {
  const room = currentRoom(state.rooms);
  return room ? ` ${escapeTags(displayText(room.room))} (${room.count}) ` : ' Users ';
}

export function buildFrame(state: ViewState, editor: EditorState, size: FrameSize, charWidth: (ch: string) => number): Frame {
  return {
    status: toTagged(statusSegments(state)),
    messages: visibleLines(state)
      .map((line) => renderLine(line, state.me))
      .join('\n'),
    alignTop: state.scrollOffset > 0 && state.scrollOffset >= maxOffset(state),
    usersLabel: usersLabel(state),
    users: userListSegments(state, size.userRows)
      .map((segments) => toTagged(segments))
      .join('\n'),
    input: toTagged(inputSegments(state, editor, size.inputWidth, charWidth)),
  };
}
