/**
 * The vocabulary of the wire protocol: what a client may ask of the room (commands) and what the
 * room tells clients (events). Both wire modes (text and JSON) translate to and from these types,
 * so the room never knows which mode a user speaks.
 */

/** A client's request, already validated and cleaned. */
export type ClientCommand =
  | { readonly type: 'hello'; readonly name: string }
  | { readonly type: 'say'; readonly text: string }
  | { readonly type: 'quit' };

/** Why a user left the room. */
export type LeaveReason = 'quit' | 'disconnect' | 'error' | 'shutdown' | 'too_slow' | 'flood' | 'timeout';

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
  | 'rate_limited'
  | 'register_timeout'
  | 'server_full'
  | 'not_chat';

export interface WelcomeEvent {
  readonly type: 'welcome';
  readonly name: string;
  /** Everyone in the room, the new user included, sorted case-insensitively. */
  readonly users: readonly string[];
}
export interface ErrorEvent {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
  /** For `rate_limited`: milliseconds until a frame will be accepted again. */
  readonly retryAfterMs?: number;
}
export interface JoinedEvent {
  readonly type: 'joined';
  readonly name: string;
  readonly ts: number;
}
export interface LeftEvent {
  readonly type: 'left';
  readonly name: string;
  readonly reason: LeaveReason;
  readonly ts: number;
}
export interface MessageEvent {
  readonly type: 'message';
  readonly from: string;
  readonly text: string;
  readonly ts: number;
  readonly id: number;
}
export interface ByeEvent {
  readonly type: 'bye';
  readonly reason: 'quit' | 'shutdown' | 'too_slow' | 'flood' | 'timeout' | 'register_timeout' | 'server_full' | 'not_chat';
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
  | ByeEvent
  | GapEvent
  | PingEvent
  | PongEvent;

export function errorEvent(code: ErrorCode, message: string, retryAfterMs?: number): ErrorEvent {
  return retryAfterMs === undefined ? { type: 'error', code, message } : { type: 'error', code, message, retryAfterMs };
}
