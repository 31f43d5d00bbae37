import { ClientCommand, ErrorCode, LeaveReason, ServerEvent } from '../../src/protocol/frames';
import { Delivery, DisconnectInput, recipients } from '../../src/room/events';
import { ConnId } from '../../src/room/state';

/** A delivery as a test reads it: the recipients as sorted connection ids, and the event. */
export interface Received {
  readonly to: readonly ConnId[];
  readonly event: ServerEvent;
}

export function received(delivery: Delivery): Received {
  return { to: [...recipients(delivery.to)].sort((a, b) => a - b), event: delivery.event };
}

/** Inputs, as a connection would send them. */
export const hello = (name: string): ClientCommand => ({ type: 'hello', name });
export const say = (text: string): ClientCommand => ({ type: 'say', text });
export const quit: ClientCommand = { type: 'quit' };
export const disconnect = (reason: LeaveReason): DisconnectInput => ({ type: 'disconnect', reason });

/** Expected deliveries. */
export const to = (ids: readonly ConnId[], event: ServerEvent): Received => ({ to: [...ids].sort((a, b) => a - b), event });
export const welcome = (name: string, users: string[]): ServerEvent => ({ type: 'welcome', name, users });
export const joined = (name: string, ts: number): ServerEvent => ({ type: 'joined', name, ts });
export const left = (name: string, reason: LeaveReason, ts: number): ServerEvent => ({ type: 'left', name, reason, ts });
export const message = (from: string, text: string, ts: number, id: number): ServerEvent => ({ type: 'message', from, text, ts, id });
export const bye = (message: string): ServerEvent => ({ type: 'bye', reason: 'quit', message });
/** An error matched by code; its message is checked where the wording matters. */
export const error = (code: ErrorCode, message: unknown = expect.any(String)): ServerEvent =>
  ({ type: 'error', code, message }) as ServerEvent;
