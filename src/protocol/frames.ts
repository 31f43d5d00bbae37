/**
 * The vocabulary of the wire protocol: what a client may ask of the chat (commands) and what the
 * chat tells clients (events). Both wire modes (text and JSON) translate to and from these types,
 * so the room actor never knows which mode a user speaks.
 *
 * Room names are written with their `#` (`#lobby`). A command's optional `room` defaults to the
 * user's current room: the one they joined or switched to last.
 */

/** A client's request, already validated and cleaned. */
export type ClientCommand =
  | { readonly type: 'hello'; readonly name: string }
  | { readonly type: 'say'; readonly text: string; readonly room?: string }
  | { readonly type: 'me'; readonly text: string; readonly room?: string }
  | { readonly type: 'join'; readonly room: string }
  | { readonly type: 'part'; readonly room?: string }
  | { readonly type: 'rooms' }
  | { readonly type: 'names'; readonly room?: string }
  | { readonly type: 'msg'; readonly to: string; readonly text: string }
  | { readonly type: 'nick'; readonly name: string }
  | { readonly type: 'help' }
  | { readonly type: 'quit' };

export type CommandType = ClientCommand['type'];

/** Why a user left a room. `part` is leaving one room; the others mean leaving the chat. */
export type LeaveReason = 'part' | 'quit' | 'disconnect' | 'error' | 'shutdown' | 'too_slow' | 'flood' | 'timeout';

/**
 * Frames about the connection itself, answered by the connection and never seen by the room:
 * the JSON heartbeat. Any frame proves the peer alive; `ping` asks for a `pong`.
 */
export type TransportFrame = { readonly type: 'ping' } | { readonly type: 'pong' };

/** Machine-readable error codes, sent in JSON `error` frames. */
export type ErrorCode =
  | 'name_taken'
  | 'name_invalid'
  | 'already_registered'
  | 'not_registered'
  | 'bad_frame'
  | 'bad_utf8'
  | 'frame_too_large'
  | 'message_too_long'
  | 'unknown_type'
  | 'unknown_command'
  | 'bad_command'
  | 'room_invalid'
  | 'not_in_room'
  | 'too_many_rooms'
  | 'no_such_user'
  | 'no_such_room'
  | 'rate_limited'
  /** Clustered servers only: the shared store (Redis) is unreachable, so the command was not carried out. */
  | 'unavailable'
  /** The server failed to carry out the command (a bug, logged); nothing changed, and the chat goes on. */
  | 'internal_error';

export interface WelcomeEvent {
  readonly type: 'welcome';
  readonly name: string;
  /** The room everybody starts in, now the user's current room. */
  readonly room: string;
  /** Everyone in that room, the new user included, sorted; empty in a quiet (large) room. */
  readonly users: readonly string[];
  /** How many are in that room. */
  readonly count: number;
  /** The server's message of the day, if it has one. */
  readonly motd?: string;
}
export interface ErrorEvent {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
  /** For `rate_limited`: milliseconds until a frame will be accepted again. */
  readonly retryAfterMs?: number;
}
/** Somebody else joined a room you are in. */
export interface JoinedEvent {
  readonly type: 'joined';
  readonly room: string;
  readonly name: string;
  readonly ts: number;
}
/**
 * Somebody else left. With `reason` `part` they left `room`, one room you are in. Otherwise they left
 * the chat, and so every room you shared with them: the event is sent once, and names no room, so
 * that it never tells you of rooms you are not in.
 */
export interface LeftEvent {
  readonly type: 'left';
  readonly name: string;
  readonly room?: string;
  readonly reason: LeaveReason;
  readonly ts: number;
}
/** A message to a room. `action` marks `/me`; `history` marks a replay of an earlier message to a newcomer. */
export interface MessageEvent {
  readonly type: 'message';
  readonly room: string;
  readonly from: string;
  readonly text: string;
  readonly ts: number;
  readonly id: number;
  readonly action?: true;
  readonly history?: true;
}
/** A private message; sent to its recipient and echoed to its sender. */
export interface PrivateEvent {
  readonly type: 'private';
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly ts: number;
  readonly id: number;
}
/** Somebody who shares a room with you (or you) changed name. */
export interface NickEvent {
  readonly type: 'nick';
  readonly old: string;
  readonly name: string;
  readonly ts: number;
}
/** You are now in `room` (you joined it, or switched to it); it is your current room. */
export interface EnteredEvent {
  readonly type: 'entered';
  readonly room: string;
  /** Everyone in the room, you included, sorted; empty in a quiet (large) room. */
  readonly users: readonly string[];
  readonly count: number;
}
/** You left `room`; `current` is your current room now (none if you are in no room). */
export interface PartedEvent {
  readonly type: 'parted';
  readonly room: string;
  readonly current: string | null;
}
export interface RoomsEvent {
  readonly type: 'rooms';
  readonly rooms: ReadonlyArray<{ readonly room: string; readonly users: number }>;
}
export interface NamesEvent {
  readonly type: 'names';
  readonly room: string;
  readonly users: readonly string[];
}
export interface HelpEvent {
  readonly type: 'help';
  readonly commands: ReadonlyArray<{ readonly command: string; readonly args: string; readonly help: string }>;
}
export interface ByeEvent {
  readonly type: 'bye';
  /**
   * `unavailable`: a clustered server lost track of this connection (it was cut off from the others
   * for too long, or the shared store lost its data); connecting again starts afresh.
   */
  readonly reason: 'quit' | 'shutdown' | 'too_slow' | 'flood' | 'timeout' | 'register_timeout' | 'not_chat' | 'unavailable';
  readonly message: string;
}
/**
 * Clustered servers only: whether the chat is degraded because the shared store (Redis) cannot be
 * reached. While it is, commands are refused with `unavailable` errors; a second `status` says when
 * it is back.
 */
export interface StatusEvent {
  readonly type: 'status';
  readonly degraded: boolean;
  readonly message: string;
}
/** This connection was too slow to read, and `missed` chat messages were dropped for it here. */
export interface GapEvent {
  readonly type: 'gap';
  readonly missed: number;
}
export interface PingEvent {
  readonly type: 'ping';
}
export interface PongEvent {
  readonly type: 'pong';
}

/** What the server sends to a client. */
export type ServerEvent =
  | WelcomeEvent
  | ErrorEvent
  | JoinedEvent
  | LeftEvent
  | MessageEvent
  | PrivateEvent
  | NickEvent
  | EnteredEvent
  | PartedEvent
  | RoomsEvent
  | NamesEvent
  | HelpEvent
  | ByeEvent
  | GapEvent
  | StatusEvent
  | PingEvent
  | PongEvent;

export function errorEvent(code: ErrorCode, message: string, retryAfterMs?: number): ErrorEvent {
  return retryAfterMs === undefined ? { type: 'error', code, message } : { type: 'error', code, message, retryAfterMs };
}
