import { filter, map, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ClientCommand, ErrorCode, LeaveReason, ServerEvent } from '../../src/protocol/frames';
import { LOBBY } from '../../src/protocol/limits';
import { ConnectionInput, ConnectionSource, Delivery, DisconnectInput, recipients } from '../../src/room/events';
import { Room } from '../../src/room/room';
import { ConnId } from '../../src/room/state';

/** A delivery as a test reads it: the recipients as sorted connection ids, and the event. */
export interface Received {
  readonly to: readonly ConnId[];
  readonly event: ServerEvent;
}

export function received(delivery: Delivery): Received {
  return { to: [...recipients(delivery.to)].sort((a, b) => a - b), event: delivery.event };
}

export function createTestScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

export const conn = (id: ConnId, input$: Observable<ConnectionInput>): ConnectionSource => ({ id, input$ });

/**
 * What clients receive, delivery by delivery. A delivery to nobody (the `left` of the last user of
 * every room they were in) reaches no client, so it is left out.
 */
export function received$(room: Room): Observable<Received> {
  return room.deliveries$.pipe(
    map(received),
    filter((delivery) => delivery.to.length > 0),
  );
}

/** Inputs, as a connection would send them. */
export const hello = (name: string): ClientCommand => ({ type: 'hello', name });
export const say = (text: string, room?: string): ClientCommand => (room === undefined ? { type: 'say', text } : { type: 'say', text, room });
export const me = (text: string, room?: string): ClientCommand => (room === undefined ? { type: 'me', text } : { type: 'me', text, room });
export const join = (room: string): ClientCommand => ({ type: 'join', room });
export const part = (room?: string): ClientCommand => (room === undefined ? { type: 'part' } : { type: 'part', room });
export const names = (room?: string): ClientCommand => (room === undefined ? { type: 'names' } : { type: 'names', room });
export const rooms: ClientCommand = { type: 'rooms' };
export const msg = (target: string, text: string): ClientCommand => ({ type: 'msg', to: target, text });
export const nick = (name: string): ClientCommand => ({ type: 'nick', name });
export const help: ClientCommand = { type: 'help' };
export const quit: ClientCommand = { type: 'quit' };
export const disconnect = (reason: LeaveReason): DisconnectInput => ({ type: 'disconnect', reason });

/** Expected deliveries. */
export const to = (ids: readonly ConnId[], event: ServerEvent): Received => ({ to: [...ids].sort((a, b) => a - b), event });
/** A welcome to the lobby; `count` is the number of users unless the room is quiet (then `users` is empty). */
export const welcome = (name: string, users: string[], count = users.length, motd?: string): ServerEvent =>
  motd === undefined ? { type: 'welcome', name, room: LOBBY, users, count } : { type: 'welcome', name, room: LOBBY, users, count, motd };
export const entered = (room: string, users: string[], count = users.length): ServerEvent => ({ type: 'entered', room, users, count });
export const parted = (room: string, current: string | null): ServerEvent => ({ type: 'parted', room, current });
export const joined = (name: string, ts: number, room = LOBBY): ServerEvent => ({ type: 'joined', room, name, ts });
/** A leave: of `room` for a part, of the chat (naming no room) for every other reason. */
export const left = (name: string, reason: LeaveReason, ts: number, room: string = LOBBY): ServerEvent =>
  reason === 'part' ? { type: 'left', name, room, reason, ts } : { type: 'left', name, reason, ts };
export const message = (from: string, text: string, ts: number, id: number, room = LOBBY): ServerEvent => ({ type: 'message', room, from, text, ts, id });
export const action = (from: string, text: string, ts: number, id: number, room = LOBBY): ServerEvent => ({
  type: 'message',
  room,
  from,
  text,
  ts,
  id,
  action: true,
});
/** A message as replayed to a newcomer. */
export const history = (event: ServerEvent): ServerEvent => ({ ...event, history: true }) as ServerEvent;
export const privateMessage = (from: string, target: string, text: string, ts: number, id: number): ServerEvent => ({
  type: 'private',
  from,
  to: target,
  text,
  ts,
  id,
});
export const renamed = (old: string, name: string, ts: number): ServerEvent => ({ type: 'nick', old, name, ts });
export const roomList = (list: Array<[string, number]>): ServerEvent => ({ type: 'rooms', rooms: list.map(([room, users]) => ({ room, users })) });
export const nameList = (room: string, users: string[]): ServerEvent => ({ type: 'names', room, users });
export const bye = (message: string): ServerEvent => ({ type: 'bye', reason: 'quit', message });
/** An error matched by code; its message is checked where the wording matters. */
export const error = (code: ErrorCode, message: unknown = expect.any(String)): ServerEvent =>
  ({ type: 'error', code, message }) as ServerEvent;
